/* The compiled half of Decoder.feed(): the one case that dominates a stream
 * fed in small pieces, a piece that leaves the buffered message incomplete.
 *
 * Goal: make that case cost one C call, one append and an empty list.  In
 * Python it cannot cost less than a Python method call plus a bytearray
 * append (about 140 ns a piece with the caller's loop, CPython 3.12 on this
 * project's machines, most of it the call), which is what bounds a decoder
 * fed one byte at a time; here it is about 57 ns.
 *
 * Everything else (a piece that may complete a message, an empty buffer,
 * any type but exact bytes or bytearray, a failed decoder, an append that
 * fails) goes to the Python method _feed_py, which is the whole feed() in
 * Python: so the answers, errors and state are the pure-Python ones by
 * construction, and this file only has to get the append right.
 *
 * Worst case: O(len(data)) per call, amortized.  The append grows the
 * bytearray with PyByteArray_Resize, which over-allocates by about 1/8 of
 * the size when it grows (CPython Objects/bytearrayobject.c), so n one-byte
 * pieces cost O(n) in all, like `buf += data` in Python.
 *
 * The module is optional: when it is not built (no compiler) or
 * EVENTSTREAM_PURE_PYTHON is set, eventstream._feedgate gives Decoder a
 * pure-Python base with the same two slots instead.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stddef.h>
#include <string.h>

/* Compiles two ways, chosen by setup.py: against this interpreter's full C
 * API (the default, one wheel per Python version), or with Py_LIMITED_API
 * 3.9 for the stable ABI (EVENTSTREAM_ABI3=1, one cp39-abi3 wheel for every
 * CPython from 3.9 on).  The stable ABI has no static types and no macros
 * that read a bytes or bytearray object directly, so there the accessors are
 * function calls; on the one-byte feed that makes it measurably slower
 * (benchmarks/builds.py compares the two in one run), which is why it is not
 * the default. */
#if PY_VERSION_HEX >= 0x030C0000 \
    && (!defined(Py_LIMITED_API) || Py_LIMITED_API + 0 >= 0x030C0000)
#define MEMBER_OBJECT Py_T_OBJECT_EX
#else
#include <structmember.h>
#define MEMBER_OBJECT T_OBJECT_EX
#endif

/* A bytearray's data and size: macros where the API has them. */
#ifndef Py_LIMITED_API
#define BYTEARRAY_DATA PyByteArray_AS_STRING
#define BYTEARRAY_SIZE PyByteArray_GET_SIZE
#else
#define BYTEARRAY_DATA PyByteArray_AsString
#define BYTEARRAY_SIZE PyByteArray_Size
#endif

typedef struct {
    PyObject_HEAD
    /* Decoder._buf: the bytes of the incomplete message (a bytearray). */
    PyObject *buf;
    /* Decoder._need (an int): how many bytes _buf must hold before parsing
     * can make progress; 0 once the decoder failed, so nothing is appended
     * then.  An object, not a C integer, because CPython specializes Python
     * code's access to object slots only (LOAD_ATTR_SLOT), and the Python
     * half of the decoder reads and writes it on every message. */
    PyObject *need;
} FeedGate;

/* "_feed_py", interned once at import. */
static PyObject *feed_py_name;

PyDoc_STRVAR(feed_doc,
"feed(data, /)\n"
"--\n"
"\n"
"Take the next piece of the stream; return the messages it completed.\n"
"\n"
"O(len(data)) amortized, whatever the piece sizes.");

static PyObject *
FeedGate_feed(FeedGate *self, PyObject *data)
{
    PyObject *buf = self->buf;
    PyObject *need_obj = self->need;
    /* The piece's bytes: data is not buf (below), so resizing buf cannot
     * move them. */
    char *src = NULL;
    Py_ssize_t size = -1;
    if (PyBytes_CheckExact(data)) {
#ifndef Py_LIMITED_API
        src = PyBytes_AS_STRING(data);
        size = PyBytes_GET_SIZE(data);
#else
        if (PyBytes_AsStringAndSize(data, &src, &size) < 0) {
            return NULL;  /* (cannot fail on exact bytes) */
        }
#endif
    }
    else if (PyByteArray_CheckExact(data) && data != buf) {
        /* (feed(decoder._buf) is left to Python, where `buf += buf` raises
         * BufferError: buf is exported to itself while it would resize.) */
        src = BYTEARRAY_DATA(data);
        size = BYTEARRAY_SIZE(data);
    }
    if (size >= 0 && buf != NULL && PyByteArray_CheckExact(buf)
        && need_obj != NULL && PyLong_CheckExact(need_obj)) {
        Py_ssize_t held = BYTEARRAY_SIZE(buf);
        /* An int beyond Py_ssize_t gives -1 with an error set (the decoder
         * never sets one: _need is at most 2**32 - 1); -1 fails the test
         * below, so Python decides. */
        Py_ssize_t need = PyLong_AsSsize_t(need_obj);
        if (need == -1 && PyErr_Occurred()) {
            PyErr_Clear();
        }
        /* held + size < need, written so it cannot overflow (both >= 0). */
        if (held > 0 && size < need - held) {
            if (PyByteArray_Resize(buf, held + size) == 0) {
                memcpy(BYTEARRAY_DATA(buf) + held, src, (size_t)size);
                return PyList_New(0);
            }
            /* Resize refused (a view of the buffer is alive, or no memory):
             * the Python path tries the same append and reports it. */
            PyErr_Clear();
        }
    }
#ifndef Py_LIMITED_API
    return PyObject_CallMethodOneArg((PyObject *)self, feed_py_name, data);
#else
    return PyObject_CallMethodObjArgs((PyObject *)self, feed_py_name, data, NULL);
#endif
}

static int
FeedGate_traverse(FeedGate *self, visitproc visit, void *arg)
{
    Py_VISIT(Py_TYPE(self));  /* a heap type: its instances own a reference */
    Py_VISIT(self->buf);
    Py_VISIT(self->need);
    return 0;
}

static int
FeedGate_clear(FeedGate *self)
{
    Py_CLEAR(self->buf);
    Py_CLEAR(self->need);
    return 0;
}

static void
FeedGate_dealloc(FeedGate *self)
{
    PyTypeObject *type = Py_TYPE(self);
    freefunc free_self = (freefunc)PyType_GetSlot(type, Py_tp_free);
    PyObject_GC_UnTrack(self);
    FeedGate_clear(self);
    free_self(self);
    Py_DECREF(type);
}

static PyMethodDef FeedGate_methods[] = {
    {"feed", (PyCFunction)FeedGate_feed, METH_O, feed_doc},
    {NULL, NULL, 0, NULL},
};

static PyMemberDef FeedGate_members[] = {
    {"_buf", MEMBER_OBJECT, offsetof(FeedGate, buf), 0, NULL},
    {"_need", MEMBER_OBJECT, offsetof(FeedGate, need), 0, NULL},
    {NULL, 0, 0, 0, NULL},
};

static PyType_Slot FeedGate_slots[] = {
    {Py_tp_doc, (void *)"Base of Decoder: its _buf and _need slots and a compiled feed()."},
    {Py_tp_new, (void *)PyType_GenericNew},
    {Py_tp_dealloc, (void *)FeedGate_dealloc},
    {Py_tp_traverse, (void *)FeedGate_traverse},
    {Py_tp_clear, (void *)FeedGate_clear},
    {Py_tp_methods, FeedGate_methods},
    {Py_tp_members, FeedGate_members},
    {0, NULL},
};

/* A heap type from a spec: the stable ABI has no static type objects. */
static PyType_Spec FeedGate_spec = {
    .name = "eventstream._cfeed.FeedGate",
    .basicsize = sizeof(FeedGate),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC,
    .slots = FeedGate_slots,
};

static struct PyModuleDef cfeed_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "eventstream._cfeed",
    .m_doc = "Compiled fast path of eventstream.Decoder.feed (optional).",
    .m_size = -1,
};

PyMODINIT_FUNC
PyInit__cfeed(void)
{
    feed_py_name = PyUnicode_InternFromString("_feed_py");
    if (feed_py_name == NULL) {
        return NULL;
    }
    PyObject *type = PyType_FromSpec(&FeedGate_spec);
    if (type == NULL) {
        return NULL;
    }
    PyObject *module = PyModule_Create(&cfeed_module);
    if (module == NULL) {
        Py_DECREF(type);
        return NULL;
    }
    /* PyModule_AddObject steals the reference on success only. */
    if (PyModule_AddObject(module, "FeedGate", type) < 0) {
        Py_DECREF(type);
        Py_DECREF(module);
        return NULL;
    }
    return module;
}
