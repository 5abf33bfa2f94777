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

#if PY_VERSION_HEX >= 0x030C0000
#define MEMBER_OBJECT Py_T_OBJECT_EX
#else
#include <structmember.h>
#define MEMBER_OBJECT T_OBJECT_EX
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
    const char *src;
    Py_ssize_t size;
    if (PyBytes_CheckExact(data)) {
        src = PyBytes_AS_STRING(data);
        size = PyBytes_GET_SIZE(data);
    }
    else if (PyByteArray_CheckExact(data) && data != buf) {
        /* (feed(decoder._buf) is left to Python, where `buf += buf` raises
         * BufferError: buf is exported to itself while it would resize.) */
        src = PyByteArray_AS_STRING(data);
        size = PyByteArray_GET_SIZE(data);
    }
    else {
        src = NULL;
        size = -1;
    }
    if (size >= 0 && buf != NULL && PyByteArray_CheckExact(buf)
        && need_obj != NULL && PyLong_CheckExact(need_obj)) {
        Py_ssize_t held = PyByteArray_GET_SIZE(buf);
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
                memcpy(PyByteArray_AS_STRING(buf) + held, src, (size_t)size);
                return PyList_New(0);
            }
            /* Resize refused (a view of the buffer is alive, or no memory):
             * the Python path tries the same append and reports it. */
            PyErr_Clear();
        }
    }
    return PyObject_CallMethodOneArg((PyObject *)self, feed_py_name, data);
}

static int
FeedGate_traverse(FeedGate *self, visitproc visit, void *arg)
{
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
    PyObject_GC_UnTrack(self);
    FeedGate_clear(self);
    Py_TYPE(self)->tp_free((PyObject *)self);
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

static PyTypeObject FeedGateType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "eventstream._cfeed.FeedGate",
    .tp_doc = "Base of Decoder: its _buf and _need slots and a compiled feed().",
    .tp_basicsize = sizeof(FeedGate),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC,
    .tp_new = PyType_GenericNew,
    .tp_dealloc = (destructor)FeedGate_dealloc,
    .tp_traverse = (traverseproc)FeedGate_traverse,
    .tp_clear = (inquiry)FeedGate_clear,
    .tp_methods = FeedGate_methods,
    .tp_members = FeedGate_members,
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
    if (feed_py_name == NULL || PyType_Ready(&FeedGateType) < 0) {
        return NULL;
    }
    PyObject *module = PyModule_Create(&cfeed_module);
    if (module == NULL) {
        return NULL;
    }
    Py_INCREF(&FeedGateType);
    if (PyModule_AddObject(module, "FeedGate", (PyObject *)&FeedGateType) < 0) {
        Py_DECREF(&FeedGateType);
        Py_DECREF(module);
        return NULL;
    }
    return module;
}
