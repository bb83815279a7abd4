/*
 * tbcore_projector._umapsgd: one epoch of UMAP's stochastic gradient descent, in C.
 *
 * epoch() moves the points of a float32 layout in place the way the reference implementation
 * (McInnes, Healy and Melville; single-threaded) does, one edge after the other: an edge is due
 * when its next sample epoch has come; its attraction -2ab d^(2(b-1)) / (1 + a d^2b) times the
 * difference (each coordinate clipped to [-4, 4], times alpha) moves its head and, with
 * move_other, its tail; then its head is pushed away from as many random points as its negative
 * schedule owes, by 2 gamma b / ((0.001 + d^2) (1 + a d^2b)) times the difference (clipped,
 * times alpha; nothing where the two points coincide). The random points come from a xorshift
 * generator seeded by (seed, epoch), so a run is reproducible.
 *
 * Everything is checked (types, shapes, contiguity, index ranges, schedules) before any point
 * moves; the work, checks included, runs without the GIL.
 */

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <math.h>
#include <stdint.h>
#include <string.h>

#define CLIP 4.0f
#define MOST_NEGATIVES 1e6 /* per edge and epoch: far beyond any real schedule (about 5) */

typedef struct {
    float *y;
    Py_ssize_t points, dim, edges;
    const int32_t *heads, *tails;
    const double *every, *every_negative;
    double *next_sample, *next_negative;
    double epoch;
    float alpha, a, b, gamma;
    int move_other;
    uint64_t state;
} Epoch;

static inline float clip(float v) { return v > CLIP ? CLIP : (v < -CLIP ? -CLIP : v); }

static uint64_t splitmix64(uint64_t *x) {
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* xorshift64*: small and fast; the state is never 0 (splitmix64 seeds it). */
static inline uint64_t next_random(uint64_t *s) {
    uint64_t x = *s;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *s = x;
    return x * 0x2545f4914f6cdd1dULL;
}

/* A point in [0, n): the high 32 random bits scaled (no division), or a remainder past 2^32. */
static inline Py_ssize_t random_point(uint64_t *s, Py_ssize_t n) {
    uint64_t r = next_random(s);
    if ((uint64_t)n <= 0xffffffffULL)
        return (Py_ssize_t)(((r >> 32) * (uint64_t)n) >> 32);
    return (Py_ssize_t)(r % (uint64_t)n);
}

/* The first bad edge's description, or NULL when all are fine. */
static const char *check_edges(const Epoch *e, Py_ssize_t *where) {
    for (Py_ssize_t i = 0; i < e->edges; i++) {
        *where = i;
        if (e->heads[i] < 0 || e->heads[i] >= e->points || e->tails[i] < 0 || e->tails[i] >= e->points)
            return "an edge's head or tail is not a point";
        if (!(e->every[i] > 0 && isfinite(e->every[i]) && e->every_negative[i] > 0 &&
              isfinite(e->every_negative[i])))
            return "epochs between samples must be positive and finite";
        if (!(isfinite(e->next_sample[i]) && isfinite(e->next_negative[i])))
            return "next sample epochs must be finite";
        if ((e->epoch - e->next_negative[i]) / e->every_negative[i] > MOST_NEGATIVES)
            return "too many negative samples owed";
    }
    return NULL;
}

/* dim is a constant where this is inlined for 2 or 3 dimensions (see run). */
static inline void run_dim(Epoch *e, const Py_ssize_t dim) {
    float *y = e->y;
    const float a = e->a, b = e->b, alpha = e->alpha;
    const float attract = -2.0f * e->a * e->b, repel = 2.0f * e->gamma * e->b;
    for (Py_ssize_t i = 0; i < e->edges; i++) {
        if (e->next_sample[i] > e->epoch)
            continue;
        float *head = y + (Py_ssize_t)e->heads[i] * dim;
        float *tail = y + (Py_ssize_t)e->tails[i] * dim;
        float d2 = 0.0f;
        for (Py_ssize_t d = 0; d < dim; d++) {
            float diff = head[d] - tail[d];
            d2 += diff * diff;
        }
        if (d2 > 0.0f) {
            float power = powf(d2, b);
            float coeff = attract * (power / d2) / (a * power + 1.0f);
            for (Py_ssize_t d = 0; d < dim; d++) {
                float g = clip(coeff * (head[d] - tail[d])) * alpha;
                head[d] += g;
                if (e->move_other)
                    tail[d] -= g;
            }
        }
        e->next_sample[i] += e->every[i];

        double owed = (e->epoch - e->next_negative[i]) / e->every_negative[i];
        long long negatives = owed >= 1.0 ? (long long)owed : 0; /* truncated, as int() does */
        for (long long p = 0; p < negatives; p++) {
            const float *other = y + random_point(&e->state, e->points) * dim;
            float o2 = 0.0f;
            for (Py_ssize_t d = 0; d < dim; d++) {
                float diff = head[d] - other[d];
                o2 += diff * diff;
            }
            if (!(o2 > 0.0f))
                continue; /* the head itself, or a point on it: no push */
            float coeff = repel / ((0.001f + o2) * (a * powf(o2, b) + 1.0f));
            for (Py_ssize_t d = 0; d < dim; d++)
                head[d] += clip(coeff * (head[d] - other[d])) * alpha;
        }
        e->next_negative[i] += (double)negatives * e->every_negative[i];
    }
}

static void run(Epoch *e) {
    if (e->dim == 2)
        run_dim(e, 2);
    else if (e->dim == 3)
        run_dim(e, 3);
    else
        run_dim(e, e->dim);
}

/* The format of a native item of this kind and size ('f' 4, 'd' 8, 'i' 4 for int32). */
static int format_is(const Py_buffer *v, char kind, Py_ssize_t size) {
    const char *f = v->format ? v->format : "B";
    if (*f == '@' || *f == '=')
        f++;
    if (v->itemsize != size || f[0] == '\0' || f[1] != '\0')
        return 0;
    if (kind == 'i')
        return f[0] == 'i' || f[0] == 'l' || f[0] == 'q';
    return f[0] == kind;
}

/* Take a C-contiguous buffer of ``ndim`` dimensions of the given item; 0 with an exception set
 * otherwise (the buffer released). */
static int get_array(PyObject *obj, Py_buffer *v, const char *name, int ndim, char kind,
                     Py_ssize_t size, const char *type_name, int writable) {
    if (PyObject_GetBuffer(obj, v, PyBUF_RECORDS_RO) < 0) {
        PyErr_Clear();
        PyErr_Format(PyExc_TypeError, "%s must be a %s array", name, type_name);
        return 0;
    }
    const char *problem = NULL;
    PyObject *kind_error = PyExc_ValueError;
    if (!format_is(v, kind, size)) {
        problem = "must be a %s array";
        kind_error = PyExc_TypeError;
    } else if (v->ndim != ndim)
        problem = ndim == 1 ? "must be a 1-d %s array" : "must be a 2-d %s array";
    else if (!PyBuffer_IsContiguous(v, 'C'))
        problem = "must be a C-contiguous %s array";
    else if (writable && v->readonly)
        problem = "must be a writable %s array";
    if (problem != NULL) {
        char message[160];
        PyOS_snprintf(message, sizeof message, problem, type_name);
        PyErr_Format(kind_error, "%s %s", name, message);
        PyBuffer_Release(v);
        return 0;
    }
    return 1;
}

PyDoc_STRVAR(epoch_doc,
"epoch(positions, heads, tails, every, next_sample, every_negative, next_negative,\n"
"      epoch, alpha, a, b, gamma, seed, move_other=True)\n"
"\n"
"One epoch of UMAP's gradient descent, moving ``positions`` (float32 [N, dim]) in place.\n"
"``heads``, ``tails``: int32 [E] edge ends; ``every``, ``every_negative``: float64 [E]\n"
"epochs between an edge's samples and its negative samples; ``next_sample``,\n"
"``next_negative``: float64 [E] epochs of the next ones, updated. ``epoch`` is the epoch's\n"
"number, ``alpha`` its learning rate, ``a``, ``b`` the curve's parameters, ``gamma`` the\n"
"repulsion, ``seed`` (with ``epoch``) seeds the random points. Raises TypeError or\n"
"ValueError (nothing moved) for arrays of the wrong kind, shape or range.");

static PyObject *umapsgd_epoch(PyObject *self, PyObject *args, PyObject *kwargs) {
    static char *keywords[] = {"positions", "heads", "tails", "every", "next_sample",
                               "every_negative", "next_negative", "epoch", "alpha", "a", "b",
                               "gamma", "seed", "move_other", NULL};
    (void)self;
    PyObject *objs[7];
    Py_ssize_t epoch;
    double alpha, a, b, gamma;
    unsigned long long seed;
    int move_other = 1;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "OOOOOOOnddddK|p", keywords, &objs[0],
                                     &objs[1], &objs[2], &objs[3], &objs[4], &objs[5], &objs[6],
                                     &epoch, &alpha, &a, &b, &gamma, &seed, &move_other))
        return NULL;

    static const char *names[7] = {"positions", "heads", "tails", "every", "next_sample",
                                   "every_negative", "next_negative"};
    static const char kinds[7] = {'f', 'i', 'i', 'd', 'd', 'd', 'd'};
    static const Py_ssize_t sizes[7] = {4, 4, 4, 8, 8, 8, 8};
    static const char *type_names[7] = {"float32", "int32", "int32", "float64", "float64",
                                        "float64", "float64"};
    static const int writable[7] = {1, 0, 0, 0, 1, 0, 1};
    Py_buffer views[7];
    int taken = 0;
    PyObject *result = NULL;
    for (; taken < 7; taken++)
        if (!get_array(objs[taken], &views[taken], names[taken], taken == 0 ? 2 : 1, kinds[taken],
                       sizes[taken], type_names[taken], writable[taken]))
            goto done;

    Epoch e;
    e.points = views[0].shape[0];
    e.dim = views[0].shape[1];
    e.edges = views[1].shape[0];
    for (int k = 2; k < 7; k++)
        if (views[k].shape[0] != e.edges) {
            PyErr_Format(PyExc_ValueError, "%s has %zd edges, heads %zd", names[k],
                         views[k].shape[0], e.edges);
            goto done;
        }
    if (e.dim < 1) {
        PyErr_SetString(PyExc_ValueError, "positions must have at least one dimension");
        goto done;
    }
    if (!(isfinite(alpha) && isfinite(a) && isfinite(b) && isfinite(gamma))) {
        PyErr_SetString(PyExc_ValueError, "alpha, a, b and gamma must be finite");
        goto done;
    }
    e.y = (float *)views[0].buf;
    e.heads = (const int32_t *)views[1].buf;
    e.tails = (const int32_t *)views[2].buf;
    e.every = (const double *)views[3].buf;
    e.next_sample = (double *)views[4].buf;
    e.every_negative = (const double *)views[5].buf;
    e.next_negative = (double *)views[6].buf;
    e.epoch = (double)epoch;
    e.alpha = (float)alpha;
    e.a = (float)a;
    e.b = (float)b;
    e.gamma = (float)gamma;
    e.move_other = move_other;
    uint64_t mix = (uint64_t)seed ^ ((uint64_t)epoch * 0xd1b54a32d192ed03ULL);
    e.state = splitmix64(&mix);
    if (e.state == 0)
        e.state = 1;

    const char *bad;
    Py_ssize_t where = 0;
    Py_BEGIN_ALLOW_THREADS
    bad = check_edges(&e, &where);
    if (bad == NULL)
        run(&e);
    Py_END_ALLOW_THREADS
    if (bad != NULL) {
        PyErr_Format(PyExc_ValueError, "edge %zd: %s", where, bad);
        goto done;
    }
    result = Py_NewRef(Py_None);
done:
    for (int k = 0; k < taken; k++)
        PyBuffer_Release(&views[k]);
    return result;
}

static PyMethodDef methods[] = {
    {"epoch", (PyCFunction)(void (*)(void))umapsgd_epoch, METH_VARARGS | METH_KEYWORDS, epoch_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_umapsgd", "UMAP's gradient descent, one epoch at a time, in C.", -1,
    methods,
};

PyMODINIT_FUNC PyInit__umapsgd(void) { return PyModule_Create(&module); }
