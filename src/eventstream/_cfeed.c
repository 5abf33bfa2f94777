/* The compiled base of Decoder: its feed() decides, for a bytes or bytearray
 * piece, whether the piece leaves the buffered message incomplete, and if so
 * appends it; that case dominates a stream fed in small pieces.
 *
 * Goal: make that case cost one C call, one decision, one append and an
 * empty list, where Python cannot do with less than a method call.
 *
 * Every other piece goes to one of two Python functions of the decoder,
 * bound once at import (eventstream._feedgate.bind): _feed_rest when the
 * decision was "no" (the piece completes the message, or the decoder
 * refuses input), _feed_any when this code cannot decide (another type,
 * the buffer fed to itself, a _need that is not a machine-sized int, an
 * append the buffer refuses).  So the answers, errors and state are the
 * pure-Python ones by construction, and this file only has to get the one
 * decision and the append right.
 *
 * Worst case: O(len(data)) per call, amortized.  The append grows the
 * bytearray with PyByteArray_Resize, which over-allocates by about 1/8 of
 * the size when it grows (CPython Objects/bytearrayobject.c), so n one-byte
 * pieces cost O(n) in all, like `buf += data` in Python.
 *
 * The module is optional: when it is not built (no compiler) or
 * EVENTSTREAM_PURE_PYTHON is set, eventstream._feedgate gives Decoder a
 * pure-Python base with the same slots instead.
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
     * can make progress.  An object, not a C integer, because CPython
     * specializes Python code's access to object slots only
     * (LOAD_ATTR_SLOT), and the Python half of the decoder reads and writes
     * it on every message. */
    PyObject *need;
    /* Decoder._latch: None, or what refuses further input. */
    PyObject *latch;
} FeedGate;

/* Decoder._feed_rest and Decoder._feed_any (see bind()). */
static PyObject *feed_rest;
static PyObject *feed_any;

PyDoc_STRVAR(feed_doc,
"feed(data, /)\n"
"--\n"
"\n"
"Take the next piece of the stream; return the messages it completed.\n"
"\n"
"O(len(data)) amortized, whatever the piece sizes.");

static PyObject *
call_python(PyObject *function, FeedGate *self, PyObject *data)
{
    if (function == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "eventstream._cfeed: bind() was not called");
        return NULL;
    }
#if !defined(Py_LIMITED_API) || Py_LIMITED_API + 0 >= 0x030C0000
    PyObject *args[3] = {(PyObject *)self, data, Py_None};
    return PyObject_Vectorcall(function, args, 3, NULL);
#else
    return PyObject_CallFunctionObjArgs(function, (PyObject *)self, data, Py_None, NULL);
#endif
}

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
        src = BYTEARRAY_DATA(data);
        size = BYTEARRAY_SIZE(data);
    }
    else {
        /* Another type, or the buffer fed to itself (`buf += buf` raises
         * BufferError in Python: buf is exported to itself while it would
         * resize; a plain C append would succeed instead). */
        return call_python(feed_any, self, data);
    }
    if (buf == NULL || !PyByteArray_CheckExact(buf) || need_obj == NULL
        || !PyLong_CheckExact(need_obj) || self->latch == NULL) {
        return call_python(feed_any, self, data);
    }
    /* An int beyond Py_ssize_t (the decoder never sets one: _need is at
     * most 2**32 - 1) is Python's to compare. */
    Py_ssize_t need = PyLong_AsSsize_t(need_obj);
    if (need == -1 && PyErr_Occurred()) {
        PyErr_Clear();
        return call_python(feed_any, self, data);
    }
    Py_ssize_t held = BYTEARRAY_SIZE(buf);
    /* The decision: held + size < need, written so it cannot overflow
     * (both are >= 0). */
    if (self->latch != Py_None || size >= need - held) {
        return call_python(feed_rest, self, data);
    }
    if (PyByteArray_Resize(buf, held + size) < 0) {
        /* Refused (a view of the buffer is alive, or no memory): the Python
         * path tries the same append and reports it. */
        PyErr_Clear();
        return call_python(feed_any, self, data);
    }
    memcpy(BYTEARRAY_DATA(buf) + held, src, (size_t)size);
    return PyList_New(0);
}

PyDoc_STRVAR(bind_doc,
"bind(feed_rest, feed_any, /)\n"
"--\n"
"\n"
"Hand FeedGate.feed the decoder's two Python paths (eventstream._feedgate).");

static PyObject *
cfeed_bind(PyObject *module, PyObject *args)
{
    (void)module;
    PyObject *rest, *any;
    if (!PyArg_UnpackTuple(args, "bind", 2, 2, &rest, &any)) {
        return NULL;
    }
    if (!PyCallable_Check(rest) || !PyCallable_Check(any)) {
        PyErr_SetString(PyExc_TypeError, "bind() takes two callables");
        return NULL;
    }
    PyObject *old_rest = feed_rest;
    PyObject *old_any = feed_any;
    Py_INCREF(rest);
    Py_INCREF(any);
    feed_rest = rest;
    feed_any = any;
    Py_XDECREF(old_rest);
    Py_XDECREF(old_any);
    Py_RETURN_NONE;
}

static int
FeedGate_traverse(FeedGate *self, visitproc visit, void *arg)
{
    Py_VISIT(Py_TYPE(self));  /* a heap type: its instances own a reference */
    Py_VISIT(self->buf);
    Py_VISIT(self->need);
    Py_VISIT(self->latch);
    return 0;
}

static int
FeedGate_clear(FeedGate *self)
{
    Py_CLEAR(self->buf);
    Py_CLEAR(self->need);
    Py_CLEAR(self->latch);
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
    {"_latch", MEMBER_OBJECT, offsetof(FeedGate, latch), 0, NULL},
    {NULL, 0, 0, 0, NULL},
};

static PyType_Slot FeedGate_slots[] = {
    {Py_tp_doc, (void *)"Base of Decoder: its _buf, _need and _latch slots and a compiled feed()."},
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

static PyMethodDef cfeed_functions[] = {
    {"bind", cfeed_bind, METH_VARARGS, bind_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef cfeed_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "eventstream._cfeed",
    .m_doc = "Compiled fast path of eventstream.Decoder.feed (optional).",
    .m_size = -1,
    .m_methods = cfeed_functions,
};

PyMODINIT_FUNC
PyInit__cfeed(void)
{
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
