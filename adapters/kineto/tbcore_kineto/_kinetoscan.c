/*
 * tbcore_kineto._kinetoscan: Kineto's chrome-trace JSON scanned straight into columns.
 *
 * scan(data) reads the whole document once, without building a Python object per event, and
 * returns the columns tbcore_kineto.chrome_trace would build from the parsed document (see
 * tbcore_kineto/fast_scan.py for the layout). It implements exactly the rules of the
 * pure-Python path (chrome_trace._add_events and friends) for the well-formed common case, and
 * answers None for anything else -- invalid JSON, an event the Python path would skip, a value
 * whose Python text it does not reproduce (floats in shapes, strings with quotes or escapes
 * inside lists, escaped keys, numbers past int64) -- so that the caller falls back to the
 * Python path and both give identical traces (the tests compare them).
 *
 * Strings are interned by their raw bytes: a JSON string token (with its quotes, decoded by
 * the caller) or a literal (text this file composed: the Python str() of a list or number,
 * ``name/key`` of a counter). Entries are numbered in order of first appearance, in the order
 * the Python path adds them to its string table, so the caller maps them one to one.
 */

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <math.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 256
#define BAIL 1
#define NOMEM 2

enum { V_MISSING = 0, V_STR, V_INT, V_FLOAT, V_NULL, V_TRUE, V_FALSE, V_ARR, V_OBJ };

/* EventKind values of tbcore_profile.model. */
enum {
    K_OTHER = 0, K_CPU_OP = 1, K_USER_ANNOTATION = 2, K_PYTHON_FUNCTION = 3, K_MODULE = 4,
    K_PYTHON = 5, K_RUNTIME = 6, K_KERNEL = 7, K_MEMCPY = 8, K_MEMSET = 9, K_GPU_ANNOTATION = 10,
    K_SPAN = 11
};

typedef struct {
    int type;
    int esc;   /* a string with backslash escapes */
    int ascii; /* a string of ASCII bytes only */
    const unsigned char *start;
    size_t len; /* the whole token, quotes included */
} Val;

typedef struct {
    char *data;
    size_t len, cap;
} Buf;

typedef struct {
    Buf arena;   /* the entries' bytes */
    Buf offsets; /* uint64 offset, per entry */
    Buf lengths; /* uint64 length, per entry */
    Buf hashes;  /* uint64 hash, per entry */
    int32_t *slots;
    size_t mask;
    size_t count;
} Table;

enum { E_NAME, E_KIND, E_CATEGORY, E_LANE, E_START, E_DUR, E_EXTERNAL, E_CORRELATION, E_SHAPES,
       E_STACK, E_TYPES, E_DEVICE, E_STREAM, E_GRID, E_BLOCK, E_REGISTERS, E_SHARED, E_BPS, E_OCCUPANCY,
       E_BYTES, E_COUNT };
enum { F_ID, F_CATEGORY, F_PHASE, F_LANE, F_TIME, F_COUNT };
enum { M_TIME, M_DTYPE, M_DID, M_ADDR, M_BYTES, M_ALLOC, M_RESERVED, M_LANE, M_COUNT };
enum { C_NAME, C_LANE, C_TIME, C_VALUE, C_COUNT };

typedef struct {
    const unsigned char *base, *p, *end;
    jmp_buf jmp;
    int depth;
    Table strings, parts, lanes;
    Buf lane_device;
    Buf ev[E_COUNT], fl[F_COUNT], mem[M_COUNT], ctr[C_COUNT];
    Buf meta; /* int64 offset, length of each M event */
    Buf top;  /* int64 key offset, key length, value offset, value length */
    Buf tmp;
} S;

static void bail(S *s) { longjmp(s->jmp, BAIL); }

/* ------------------------------------------------------------------------------------------ */
/* Buffers and the intern tables                                                               */

static void reserve(S *s, Buf *b, size_t more)
{
    if (b->len + more <= b->cap) return;
    size_t cap = b->cap ? b->cap * 2 : 4096;
    while (cap < b->len + more) cap *= 2;
    char *data = PyMem_RawRealloc(b->data, cap);
    if (!data) longjmp(s->jmp, NOMEM);
    b->data = data;
    b->cap = cap;
}

static inline void put(S *s, Buf *b, const void *v, size_t n)
{
    reserve(s, b, n);
    memcpy(b->data + b->len, v, n);
    b->len += n;
}

static inline void put_i8(S *s, Buf *b, int8_t v) { put(s, b, &v, 1); }
static inline void put_i32(S *s, Buf *b, int32_t v) { put(s, b, &v, 4); }
static inline void put_i64(S *s, Buf *b, int64_t v) { put(s, b, &v, 8); }
static inline void put_f64(S *s, Buf *b, double v) { put(s, b, &v, 8); }

static uint64_t hash_bytes(const unsigned char *p, size_t n)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 1099511628211ULL;
    return h ^ (h >> 29);
}

static void table_grow(S *s, Table *t)
{
    size_t size = t->mask ? (t->mask + 1) * 2 : 1024;
    int32_t *slots = PyMem_RawMalloc(size * sizeof(int32_t));
    if (!slots) longjmp(s->jmp, NOMEM);
    memset(slots, 0xff, size * sizeof(int32_t));
    const uint64_t *hashes = (const uint64_t *)t->hashes.data;
    for (size_t i = 0; i < t->count; i++) {
        size_t j = hashes[i] & (size - 1);
        while (slots[j] >= 0) j = (j + 1) & (size - 1);
        slots[j] = (int32_t)i;
    }
    PyMem_RawFree(t->slots);
    t->slots = slots;
    t->mask = size - 1;
}

static int32_t intern(S *s, Table *t, const void *bytes, size_t n)
{
    const unsigned char *key = bytes;
    if ((t->count + 1) * 2 > t->mask + 1) table_grow(s, t);
    uint64_t h = hash_bytes(key, n);
    size_t j = h & t->mask;
    const uint64_t *hashes = (const uint64_t *)t->hashes.data;
    const uint64_t *offsets = (const uint64_t *)t->offsets.data;
    const uint64_t *lengths = (const uint64_t *)t->lengths.data;
    for (;;) {
        int32_t i = t->slots[j];
        if (i < 0) break;
        if (hashes[i] == h && lengths[i] == n && memcmp(t->arena.data + offsets[i], key, n) == 0)
            return i;
        j = (j + 1) & t->mask;
    }
    if (t->count >= INT32_MAX) bail(s);
    uint64_t offset = t->arena.len, length = n;
    put(s, &t->arena, key, n);
    put(s, &t->offsets, &offset, 8);
    put(s, &t->lengths, &length, 8);
    put(s, &t->hashes, &h, 8);
    t->slots[j] = (int32_t)t->count;
    return (int32_t)t->count++;
}

/* ------------------------------------------------------------------------------------------ */
/* JSON tokens (RFC 8259; anything else -- NaN, N/A, control characters -- bails)             */

static inline int peek(const S *s) { return s->p < s->end ? *s->p : -1; }

static inline void ws(S *s)
{
    while (s->p < s->end && (*s->p == ' ' || *s->p == '\n' || *s->p == '\r' || *s->p == '\t')) s->p++;
}

static inline void expect(S *s, unsigned char c)
{
    ws(s);
    if (s->p >= s->end || *s->p != c) bail(s);
    s->p++;
}

static inline int is_cont(const unsigned char *q, const unsigned char *end, unsigned lo, unsigned hi)
{
    return q < end && *q >= lo && *q <= hi;
}

/* One UTF-8 sequence at q (its first byte >= 0x80), as Python's strict decoder accepts it. */
static const unsigned char *utf8_skip(S *s, const unsigned char *q)
{
    const unsigned char *e = s->end;
    unsigned c = *q;
    if (c >= 0xC2 && c <= 0xDF) {
        if (is_cont(q + 1, e, 0x80, 0xBF)) return q + 2;
    } else if (c == 0xE0) {
        if (is_cont(q + 1, e, 0xA0, 0xBF) && is_cont(q + 2, e, 0x80, 0xBF)) return q + 3;
    } else if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) {
        if (is_cont(q + 1, e, 0x80, 0xBF) && is_cont(q + 2, e, 0x80, 0xBF)) return q + 3;
    } else if (c == 0xED) {
        if (is_cont(q + 1, e, 0x80, 0x9F) && is_cont(q + 2, e, 0x80, 0xBF)) return q + 3;
    } else if (c == 0xF0) {
        if (is_cont(q + 1, e, 0x90, 0xBF) && is_cont(q + 2, e, 0x80, 0xBF) && is_cont(q + 3, e, 0x80, 0xBF))
            return q + 4;
    } else if (c >= 0xF1 && c <= 0xF3) {
        if (is_cont(q + 1, e, 0x80, 0xBF) && is_cont(q + 2, e, 0x80, 0xBF) && is_cont(q + 3, e, 0x80, 0xBF))
            return q + 4;
    } else if (c == 0xF4) {
        if (is_cont(q + 1, e, 0x80, 0x8F) && is_cont(q + 2, e, 0x80, 0xBF) && is_cont(q + 3, e, 0x80, 0xBF))
            return q + 4;
    }
    bail(s);
    return q;
}

static inline int is_hex(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static void scan_string(S *s, Val *v)
{
    const unsigned char *q = s->p + 1, *e = s->end;
    int esc = 0, ascii = 1;
    for (;;) {
        if (q >= e) bail(s);
        unsigned char c = *q;
        if (c == '"') break;
        if (c == '\\') {
            esc = 1;
            if (q + 1 >= e) bail(s);
            c = q[1];
            if (c == 'u') {
                if (q + 5 >= e || !is_hex(q[2]) || !is_hex(q[3]) || !is_hex(q[4]) || !is_hex(q[5])) bail(s);
                q += 6;
            } else if (c == '"' || c == '\\' || c == '/' || c == 'b' || c == 'f' || c == 'n' || c == 'r' ||
                       c == 't') {
                q += 2;
            } else {
                bail(s);
            }
            continue;
        }
        if (c < 0x20) bail(s);
        if (c >= 0x80) {
            ascii = 0;
            q = utf8_skip(s, q);
            continue;
        }
        q++;
    }
    v->type = V_STR;
    v->esc = esc;
    v->ascii = ascii;
    v->start = s->p;
    v->len = (size_t)(q + 1 - s->p);
    s->p = q + 1;
}

static inline int is_digit(unsigned char c) { return c >= '0' && c <= '9'; }

static void scan_number(S *s, Val *v)
{
    const unsigned char *q = s->p, *e = s->end;
    int integer = 1;
    if (q < e && *q == '-') q++;
    if (q >= e) bail(s);
    if (*q == '0') {
        q++;
    } else if (*q >= '1' && *q <= '9') {
        while (q < e && is_digit(*q)) q++;
    } else {
        bail(s);
    }
    if (q < e && *q == '.') {
        integer = 0;
        q++;
        if (q >= e || !is_digit(*q)) bail(s);
        while (q < e && is_digit(*q)) q++;
    }
    if (q < e && (*q == 'e' || *q == 'E')) {
        integer = 0;
        q++;
        if (q < e && (*q == '+' || *q == '-')) q++;
        if (q >= e || !is_digit(*q)) bail(s);
        while (q < e && is_digit(*q)) q++;
    }
    v->type = integer ? V_INT : V_FLOAT;
    v->start = s->p;
    v->len = (size_t)(q - s->p);
    s->p = q;
}

static void scan_value(S *s, Val *v);

static void skip_container(S *s, unsigned char close)
{
    if (++s->depth > MAX_DEPTH) bail(s);
    s->p++;
    ws(s);
    if (s->p < s->end && *s->p == close) {
        s->p++;
        s->depth--;
        return;
    }
    for (;;) {
        Val v;
        if (close == '}') {
            ws(s);
            if (s->p >= s->end || *s->p != '"') bail(s);
            scan_string(s, &v);
            expect(s, ':');
        }
        scan_value(s, &v);
        ws(s);
        if (s->p >= s->end) bail(s);
        if (*s->p == ',') {
            s->p++;
            continue;
        }
        if (*s->p == close) {
            s->p++;
            break;
        }
        bail(s);
    }
    s->depth--;
}

static void literal(S *s, Val *v, const char *word, int type)
{
    size_t n = strlen(word);
    if ((size_t)(s->end - s->p) < n || memcmp(s->p, word, n) != 0) bail(s);
    v->type = type;
    v->start = s->p;
    v->len = n;
    s->p += n;
}

static void scan_value(S *s, Val *v)
{
    ws(s);
    if (s->p >= s->end) bail(s);
    const unsigned char *start = s->p;
    switch (*s->p) {
    case '"': scan_string(s, v); return;
    case '{': skip_container(s, '}'); v->type = V_OBJ; break;
    case '[': skip_container(s, ']'); v->type = V_ARR; break;
    case 't': literal(s, v, "true", V_TRUE); return;
    case 'f': literal(s, v, "false", V_FALSE); return;
    case 'n': literal(s, v, "null", V_NULL); return;
    default:
        if (*s->p == '-' || is_digit(*s->p)) {
            scan_number(s, v);
            return;
        }
        bail(s);
    }
    v->start = start;
    v->len = (size_t)(s->p - start);
}

/* ------------------------------------------------------------------------------------------ */
/* Values as Python sees them                                                                  */

static double to_double(S *s, const Val *v)
{
    if (v->type != V_INT && v->type != V_FLOAT) bail(s);
    const unsigned char *q = v->start, *e = v->start + v->len;
    int negative = 0, digits = 0, fraction = 0;
    uint64_t mantissa = 0;
    if (*q == '-') {
        negative = 1;
        q++;
    }
    for (; q < e && is_digit(*q); q++, digits++) mantissa = mantissa * 10 + (uint64_t)(*q - '0');
    if (q < e && *q == '.') {
        for (q++; q < e && is_digit(*q); q++, digits++, fraction++)
            mantissa = mantissa * 10 + (uint64_t)(*q - '0');
    }
    /* Clinger's fast path: an exact mantissa and an exact power of ten give the correctly
     * rounded value in one IEEE operation. */
    if (q == e && digits <= 15 && fraction <= 22) {
        double value = (double)mantissa;
        static const double powers[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
                                        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
        value = fraction ? value / powers[fraction] : value;
        return negative ? -value : value;
    }
    char local[64];
    char *text = v->len < sizeof(local) ? local : PyMem_RawMalloc(v->len + 1);
    if (!text) longjmp(s->jmp, NOMEM);
    memcpy(text, v->start, v->len);
    text[v->len] = 0;
    double value = PyOS_string_to_double(text, NULL, NULL);
    if (text != local) PyMem_RawFree(text);
    if (value == -1.0 && PyErr_Occurred()) {
        PyErr_Clear();
        bail(s);
    }
    if (!isfinite(value)) bail(s);
    return value;
}

static int64_t to_int64(S *s, const Val *v)
{
    if (v->type != V_INT || v->len > 19) bail(s); /* at most 18 digits and a sign: no overflow */
    const unsigned char *q = v->start, *e = v->start + v->len;
    int negative = *q == '-';
    if (negative) q++;
    if (e - q > 18) bail(s);
    int64_t value = 0;
    for (; q < e; q++) value = value * 10 + (*q - '0');
    return negative ? -value : value;
}

/* chrome_trace._int: absent, null or a string -> -1; an integer within [lo, hi]. */
static int64_t py_int(S *s, const Val *v, int64_t lo, int64_t hi)
{
    if (v->type == V_MISSING || v->type == V_NULL || v->type == V_STR) return -1;
    int64_t value = to_int64(s, v);
    if (value < lo || value > hi) bail(s);
    return value;
}

/* chrome_trace._float: absent, null or a string -> NaN. */
static double py_float(S *s, const Val *v)
{
    if (v->type == V_MISSING || v->type == V_NULL || v->type == V_STR) return NAN;
    return to_double(s, v);
}

/* Python's repr() of a parsed JSON value, inside a list, into s->tmp. */
static void repr_into(S *s, const Val *v)
{
    Buf *out = &s->tmp;
    switch (v->type) {
    case V_STR:
        if (v->esc || !v->ascii) bail(s);
        for (size_t i = 1; i + 1 < v->len; i++)
            if (v->start[i] == '\'' || v->start[i] > 0x7e) bail(s);
        put(s, out, "'", 1);
        put(s, out, v->start + 1, v->len - 2);
        put(s, out, "'", 1);
        return;
    case V_INT:
        if (v->len == 2 && v->start[0] == '-' && v->start[1] == '0') bail(s);
        put(s, out, v->start, v->len);
        return;
    case V_NULL: put(s, out, "None", 4); return;
    case V_TRUE: put(s, out, "True", 4); return;
    case V_FALSE: put(s, out, "False", 5); return;
    case V_ARR: break;
    default: bail(s);
    }
    const unsigned char *saved = s->p;
    s->p = v->start + 1;
    put(s, out, "[", 1);
    ws(s);
    if (peek(s) != ']') {
        for (int first = 1;; first = 0) {
            Val item;
            scan_value(s, &item);
            if (!first) put(s, out, ", ", 2);
            repr_into(s, &item);
            ws(s);
            if (peek(s) == ',') {
                s->p++;
                continue;
            }
            break;
        }
    }
    put(s, out, "]", 1);
    s->p = saved;
}

/* The entry of str(value) in the string table (a string's token; else a composed literal). */
static int32_t intern_str(S *s, Table *t, const Val *v)
{
    if (v->type == V_STR) return intern(s, t, v->start, v->len);
    if (v->type == V_MISSING) return intern(s, t, "", 0);
    s->tmp.len = 0;
    repr_into(s, v);
    return intern(s, t, s->tmp.data, s->tmp.len);
}

static int32_t lane_of(S *s, const Val *pid, const Val *tid, int device)
{
    int32_t key[2];
    key[0] = intern_str(s, &s->parts, pid);
    key[1] = intern_str(s, &s->parts, tid);
    int32_t lane = intern(s, &s->lanes, key, sizeof(key));
    if ((size_t)lane >= s->lane_device.len) put_i8(s, &s->lane_device, 0);
    if (device) s->lane_device.data[lane] = 1;
    return lane;
}

static inline int key_is(const Val *k, const char *word, size_t n)
{
    return k->len == n + 2 && memcmp(k->start + 1, word, n) == 0;
}
#define KEY(k, word) key_is((k), (word), sizeof(word) - 1)

static void read_key(S *s, Val *key)
{
    ws(s);
    if (s->p >= s->end || *s->p != '"') bail(s);
    scan_string(s, key);
    if (key->esc) bail(s); /* an escaped key may spell one this file looks for */
    expect(s, ':');
}

/* After a member: 1 when another follows, 0 at the closing brace. */
static int next_member(S *s)
{
    ws(s);
    if (s->p >= s->end) bail(s);
    if (*s->p == ',') {
        s->p++;
        return 1;
    }
    if (*s->p == '}') {
        s->p++;
        return 0;
    }
    bail(s);
    return 0;
}

/* Enter an object value (absent or null: no members); 1 when it has members to read. */
static int enter_object(S *s, const Val *v)
{
    if (v->type == V_MISSING || v->type == V_NULL) return 0;
    if (v->type != V_OBJ) bail(s);
    s->p = v->start + 1;
    ws(s);
    if (peek(s) == '}') return 0;
    return 1;
}

/* ------------------------------------------------------------------------------------------ */
/* Events                                                                                      */

typedef struct {
    Val ph, name, cat, pid, tid, ts, dur, id, args;
} Event;

static int category_kind(S *s, const Val *cat)
{
    if (cat->type == V_MISSING) return K_OTHER;
    if (cat->esc || !cat->ascii) bail(s);
    char lower[32];
    size_t n = cat->len - 2;
    if (n >= sizeof(lower)) return K_OTHER;
    for (size_t i = 0; i < n; i++) {
        char c = (char)cat->start[1 + i];
        lower[i] = (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
    }
    lower[n] = 0;
    static const struct { const char *name; int kind; } kinds[] = {
        {"cpu_op", K_CPU_OP}, {"operator", K_CPU_OP}, {"user_annotation", K_USER_ANNOTATION},
        {"gpu_user_annotation", K_GPU_ANNOTATION}, {"python_function", K_PYTHON_FUNCTION},
        {"python", K_PYTHON}, {"cuda_runtime", K_RUNTIME}, {"cuda_driver", K_RUNTIME},
        {"runtime", K_RUNTIME}, {"privateuse1_runtime", K_RUNTIME}, {"privateuse1_driver", K_RUNTIME},
        {"xpu_runtime", K_RUNTIME}, {"mtia_runtime", K_RUNTIME}, {"kernel", K_KERNEL},
        {"concurrent_kernel", K_KERNEL}, {"gpu_memcpy", K_MEMCPY}, {"memcpy", K_MEMCPY},
        {"gpu_memset", K_MEMSET}, {"memset", K_MEMSET}, {"trace", K_SPAN},
    };
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
        if (strcmp(lower, kinds[i].name) == 0) return kinds[i].kind;
    return K_OTHER;
}

typedef struct {
    Val module, ext_upper, ext_lower, corr, dims_upper, dims_lower, stack, types, device, stream, grid,
        block, registers, shared, bps, occupancy, bytes;
} XArgs;

static void read_x_args(S *s, const Val *args, XArgs *a)
{
    memset(a, 0, sizeof(*a));
    if (!enter_object(s, args)) return;
    do {
        Val key, dummy, *slot = &dummy;
        read_key(s, &key);
        if (KEY(&key, "External id")) slot = &a->ext_upper;
        else if (KEY(&key, "external id")) slot = &a->ext_lower;
        else if (KEY(&key, "correlation")) slot = &a->corr;
        else if (KEY(&key, "Input Dims")) slot = &a->dims_upper;
        else if (KEY(&key, "Input dims")) slot = &a->dims_lower;
        else if (KEY(&key, "Call stack")) slot = &a->stack;
        else if (KEY(&key, "Input type")) slot = &a->types;
        else if (KEY(&key, "Python module id")) slot = &a->module;
        else if (KEY(&key, "device")) slot = &a->device;
        else if (KEY(&key, "stream")) slot = &a->stream;
        else if (KEY(&key, "grid")) slot = &a->grid;
        else if (KEY(&key, "block")) slot = &a->block;
        else if (KEY(&key, "registers per thread")) slot = &a->registers;
        else if (KEY(&key, "shared memory")) slot = &a->shared;
        else if (KEY(&key, "blocks per SM")) slot = &a->bps;
        else if (KEY(&key, "est. achieved occupancy %")) slot = &a->occupancy;
        else if (KEY(&key, "bytes")) slot = &a->bytes;
        scan_value(s, slot);
    } while (next_member(s));
}

static int64_t optional_id(S *s, const Val *v)
{
    return (v->type == V_MISSING || v->type == V_NULL) ? -1 : to_int64(s, v);
}

static void add_complete(S *s, const Event *e)
{
    if (e->name.type != V_MISSING && e->name.type != V_STR) bail(s);
    if (e->cat.type != V_MISSING && e->cat.type != V_STR) bail(s);
    double ts = to_double(s, &e->ts);
    double dur = 0.0;
    if (e->dur.type != V_MISSING && e->dur.type != V_NULL) dur = to_double(s, &e->dur);
    if (!isfinite(ts) || !isfinite(dur)) bail(s);
    if (dur == 0.0) dur = 0.0; /* `dur or 0.0`: -0 is falsy in Python */
    int kind = category_kind(s, &e->cat);
    XArgs a;
    read_x_args(s, &e->args, &a);
    if (kind == K_PYTHON_FUNCTION && a.module.type != V_MISSING && a.module.type != V_NULL) kind = K_MODULE;
    int64_t external = optional_id(s, a.ext_upper.type != V_MISSING ? &a.ext_upper : &a.ext_lower);
    int64_t correlation = optional_id(s, &a.corr);
    int32_t shapes = -1, stack = -1, types = -1;
    if (kind == K_CPU_OP || kind == K_USER_ANNOTATION || kind == K_PYTHON) {
        if (a.dims_upper.type != V_MISSING && a.dims_upper.type != V_NULL)
            shapes = intern_str(s, &s->strings, &a.dims_upper);
        else if (a.dims_lower.type != V_MISSING)
            shapes = intern_str(s, &s->strings, &a.dims_lower);
        else
            shapes = intern(s, &s->strings, "[]", 2);
        if (a.stack.type != V_MISSING && a.stack.type != V_NULL) stack = intern_str(s, &s->strings, &a.stack);
        if (a.types.type != V_MISSING && a.types.type != V_NULL) types = intern_str(s, &s->strings, &a.types);
    }
    int device_kind = kind == K_KERNEL || kind == K_MEMCPY || kind == K_MEMSET || kind == K_GPU_ANNOTATION;
    int64_t device = -1, stream = -1, registers = -1, shared = -1, nbytes = -1;
    int32_t grid = -1, block = -1;
    double bps = NAN, occupancy = NAN;
    if (device_kind) {
        device = py_int(s, &a.device, INT32_MIN, INT32_MAX);
        stream = py_int(s, &a.stream, INT32_MIN, INT32_MAX);
        if (a.grid.type != V_MISSING && a.grid.type != V_NULL) grid = intern_str(s, &s->strings, &a.grid);
        if (a.block.type != V_MISSING && a.block.type != V_NULL) block = intern_str(s, &s->strings, &a.block);
        registers = py_int(s, &a.registers, INT32_MIN, INT32_MAX);
        shared = py_int(s, &a.shared, INT64_MIN, INT64_MAX);
        bps = py_float(s, &a.bps);
        occupancy = py_float(s, &a.occupancy);
        nbytes = py_int(s, &a.bytes, INT64_MIN, INT64_MAX);
    }
    int32_t lane = lane_of(s, &e->pid, &e->tid, device_kind);
    put_i32(s, &s->ev[E_NAME], intern_str(s, &s->strings, &e->name));
    put_i8(s, &s->ev[E_KIND], (int8_t)kind);
    put_i32(s, &s->ev[E_CATEGORY], intern_str(s, &s->strings, &e->cat));
    put_i32(s, &s->ev[E_LANE], lane);
    put_f64(s, &s->ev[E_START], ts);
    put_f64(s, &s->ev[E_DUR], dur);
    put_i64(s, &s->ev[E_EXTERNAL], external);
    put_i64(s, &s->ev[E_CORRELATION], correlation);
    put_i32(s, &s->ev[E_SHAPES], shapes);
    put_i32(s, &s->ev[E_STACK], stack);
    put_i32(s, &s->ev[E_TYPES], types);
    put_i32(s, &s->ev[E_DEVICE], (int32_t)device);
    put_i32(s, &s->ev[E_STREAM], (int32_t)stream);
    put_i32(s, &s->ev[E_GRID], grid);
    put_i32(s, &s->ev[E_BLOCK], block);
    put_i32(s, &s->ev[E_REGISTERS], (int32_t)registers);
    put_i64(s, &s->ev[E_SHARED], shared);
    put_f64(s, &s->ev[E_BPS], bps);
    put_f64(s, &s->ev[E_OCCUPANCY], occupancy);
    put_i64(s, &s->ev[E_BYTES], nbytes);
}

static void add_memory(S *s, const Event *e)
{
    Val dtype = {0}, did = {0}, addr = {0}, bytes = {0}, alloc = {0}, reserved = {0};
    if (enter_object(s, &e->args)) {
        do {
            Val key, dummy, *slot = &dummy;
            read_key(s, &key);
            if (KEY(&key, "Device Type")) slot = &dtype;
            else if (KEY(&key, "Device Id")) slot = &did;
            else if (KEY(&key, "Addr")) slot = &addr;
            else if (KEY(&key, "Bytes")) slot = &bytes;
            else if (KEY(&key, "Total Allocated")) slot = &alloc;
            else if (KEY(&key, "Total Reserved")) slot = &reserved;
            scan_value(s, slot);
        } while (next_member(s));
    }
    put_f64(s, &s->mem[M_TIME], to_double(s, &e->ts));
    put_i8(s, &s->mem[M_DTYPE], (int8_t)py_int(s, &dtype, INT8_MIN, INT8_MAX));
    put_i32(s, &s->mem[M_DID], (int32_t)py_int(s, &did, INT32_MIN, INT32_MAX));
    put_i64(s, &s->mem[M_ADDR], py_int(s, &addr, INT64_MIN, INT64_MAX));
    put_i64(s, &s->mem[M_BYTES], bytes.type == V_MISSING ? 0 : to_int64(s, &bytes));
    put_f64(s, &s->mem[M_ALLOC], py_float(s, &alloc));
    put_f64(s, &s->mem[M_RESERVED], py_float(s, &reserved));
    put_i32(s, &s->mem[M_LANE], lane_of(s, &e->pid, &e->tid, 0));
}

static void add_counter(S *s, const Event *e)
{
    if (e->name.type != V_MISSING && (e->name.type != V_STR || e->name.esc)) bail(s);
    int32_t lane = lane_of(s, &e->pid, &e->tid, 0);
    double ts = to_double(s, &e->ts);
    if (!enter_object(s, &e->args)) return;
    Val keys[64];
    int count = 0;
    do {
        Val key, value;
        read_key(s, &key);
        for (int i = 0; i < count; i++)
            if (keys[i].len == key.len && memcmp(keys[i].start, key.start, key.len) == 0) bail(s);
        if (count == 64) bail(s);
        keys[count++] = key;
        scan_value(s, &value);
        if (value.type != V_INT && value.type != V_FLOAT) continue;
        double number = to_double(s, &value);
        s->tmp.len = 0;
        if (e->name.type == V_STR) put(s, &s->tmp, e->name.start + 1, e->name.len - 2);
        put(s, &s->tmp, "/", 1);
        put(s, &s->tmp, key.start + 1, key.len - 2);
        put_i32(s, &s->ctr[C_NAME], intern(s, &s->strings, s->tmp.data, s->tmp.len));
        put_i32(s, &s->ctr[C_LANE], lane);
        put_f64(s, &s->ctr[C_TIME], ts);
        put_f64(s, &s->ctr[C_VALUE], number);
    } while (next_member(s));
}

static void add_flow(S *s, const Event *e, int end)
{
    if (e->id.type == V_MISSING) bail(s);
    int64_t id = to_int64(s, &e->id);
    int32_t category = intern_str(s, &s->strings, &e->cat);
    int32_t lane = lane_of(s, &e->pid, &e->tid, 0);
    put_i64(s, &s->fl[F_ID], id);
    put_i32(s, &s->fl[F_CATEGORY], category);
    put_i8(s, &s->fl[F_PHASE], (int8_t)end);
    put_i32(s, &s->fl[F_LANE], lane);
    put_f64(s, &s->fl[F_TIME], to_double(s, &e->ts));
}

static void read_event(S *s)
{
    const unsigned char *start = s->p;
    Event e;
    memset(&e, 0, sizeof(e));
    if (++s->depth > MAX_DEPTH) bail(s);
    s->p++;
    ws(s);
    if (peek(s) == '}') {
        s->p++;
    } else {
        do {
            Val key, dummy, *slot = &dummy;
            read_key(s, &key);
            switch (key.len - 2) {
            case 2:
                if (KEY(&key, "ph")) slot = &e.ph;
                else if (KEY(&key, "ts")) slot = &e.ts;
                else if (KEY(&key, "id")) slot = &e.id;
                break;
            case 3:
                if (KEY(&key, "cat")) slot = &e.cat;
                else if (KEY(&key, "pid")) slot = &e.pid;
                else if (KEY(&key, "tid")) slot = &e.tid;
                else if (KEY(&key, "dur")) slot = &e.dur;
                break;
            case 4:
                if (KEY(&key, "name")) slot = &e.name;
                else if (KEY(&key, "args")) slot = &e.args;
                break;
            }
            scan_value(s, slot);
        } while (next_member(s));
    }
    s->depth--;
    const unsigned char *after = s->p;
    if (e.ph.type == V_STR && e.ph.esc) bail(s);
    if (e.ph.type == V_STR && e.ph.len == 3) {
        switch (e.ph.start[1]) {
        case 'X': add_complete(s, &e); break;
        case 'i':
        case 'I':
            if (e.name.type == V_STR && e.name.esc) bail(s);
            if (e.name.type == V_STR && KEY(&e.name, "[memory]")) add_memory(s, &e);
            break;
        case 'M':
            put_i64(s, &s->meta, (int64_t)(start - s->base));
            put_i64(s, &s->meta, (int64_t)(after - start));
            break;
        case 'C': add_counter(s, &e); break;
        case 's': add_flow(s, &e, 0); break;
        case 'f':
        case 't': add_flow(s, &e, 1); break;
        }
    }
    s->p = after;
}

static void read_document(S *s)
{
    int seen = 0;
    expect(s, '{');
    ws(s);
    if (s->p < s->end && *s->p == '}') bail(s); /* no traceEvents */
    do {
        Val key, value;
        read_key(s, &key);
        if (KEY(&key, "traceEvents")) {
            if (seen++) bail(s);
            expect(s, '[');
            ws(s);
            if (s->p < s->end && *s->p == ']') {
                s->p++;
                continue;
            }
            for (;;) {
                ws(s);
                if (s->p >= s->end || *s->p != '{') bail(s); /* not an object: the Python path skips it */
                read_event(s);
                ws(s);
                if (s->p >= s->end) bail(s);
                if (*s->p == ',') {
                    s->p++;
                    continue;
                }
                if (*s->p == ']') {
                    s->p++;
                    break;
                }
                bail(s);
            }
        } else {
            scan_value(s, &value);
            put_i64(s, &s->top, (int64_t)(key.start - s->base));
            put_i64(s, &s->top, (int64_t)key.len);
            put_i64(s, &s->top, (int64_t)(value.start - s->base));
            put_i64(s, &s->top, (int64_t)value.len);
        }
    } while (next_member(s));
    ws(s);
    if (s->p != s->end || !seen) bail(s);
}

/* ------------------------------------------------------------------------------------------ */
/* Results                                                                                     */

static void buf_free(Buf *b) { PyMem_RawFree(b->data); }

static void table_free(Table *t)
{
    buf_free(&t->arena);
    buf_free(&t->offsets);
    buf_free(&t->lengths);
    buf_free(&t->hashes);
    PyMem_RawFree(t->slots);
}

static void state_free(S *s)
{
    table_free(&s->strings);
    table_free(&s->parts);
    table_free(&s->lanes);
    buf_free(&s->lane_device);
    for (int i = 0; i < E_COUNT; i++) buf_free(&s->ev[i]);
    for (int i = 0; i < F_COUNT; i++) buf_free(&s->fl[i]);
    for (int i = 0; i < M_COUNT; i++) buf_free(&s->mem[i]);
    for (int i = 0; i < C_COUNT; i++) buf_free(&s->ctr[i]);
    buf_free(&s->meta);
    buf_free(&s->top);
    buf_free(&s->tmp);
}

static PyObject *table_list(const Table *t)
{
    PyObject *list = PyList_New((Py_ssize_t)t->count);
    if (!list) return NULL;
    const uint64_t *offsets = (const uint64_t *)t->offsets.data;
    const uint64_t *lengths = (const uint64_t *)t->lengths.data;
    for (size_t i = 0; i < t->count; i++) {
        PyObject *item = PyBytes_FromStringAndSize(t->arena.data + offsets[i], (Py_ssize_t)lengths[i]);
        if (!item) {
            Py_DECREF(list);
            return NULL;
        }
        PyList_SET_ITEM(list, (Py_ssize_t)i, item);
    }
    return list;
}

static PyObject *bytes_of(const Buf *b) { return PyBytes_FromStringAndSize(b->data ? b->data : "", (Py_ssize_t)b->len); }

static PyObject *columns(const Buf *bufs, int n)
{
    PyObject *tuple = PyTuple_New(n);
    if (!tuple) return NULL;
    for (int i = 0; i < n; i++) {
        PyObject *item = bytes_of(&bufs[i]);
        if (!item) {
            Py_DECREF(tuple);
            return NULL;
        }
        PyTuple_SET_ITEM(tuple, i, item);
    }
    return tuple;
}

static PyObject *scan(PyObject *module, PyObject *arg)
{
    (void)module;
    Py_buffer view;
    if (PyObject_GetBuffer(arg, &view, PyBUF_SIMPLE) < 0) return NULL;
    S *s = PyMem_RawCalloc(1, sizeof(S));
    if (!s) {
        PyBuffer_Release(&view);
        return PyErr_NoMemory();
    }
    s->base = s->p = view.buf;
    s->end = s->base + view.len;
    PyObject *result = NULL;
    int status = setjmp(s->jmp);
    if (status == 0) {
        read_document(s);
        /* Lanes as (pid entry, tid entry) pairs of the parts table. */
        Buf *lanes = &s->tmp;
        const uint64_t *offsets = (const uint64_t *)s->lanes.offsets.data;
        lanes->len = 0;
        for (size_t i = 0; i < s->lanes.count; i++) put(s, lanes, s->lanes.arena.data + offsets[i], 8);
        result = Py_BuildValue("(NNNNNNNNNN)", table_list(&s->strings), table_list(&s->parts),
                               bytes_of(lanes), bytes_of(&s->lane_device), columns(s->ev, E_COUNT),
                               columns(s->fl, F_COUNT), columns(s->mem, M_COUNT), columns(s->ctr, C_COUNT),
                               bytes_of(&s->meta), bytes_of(&s->top));
    } else if (status == BAIL) {
        result = Py_NewRef(Py_None);
    } else {
        PyErr_NoMemory();
    }
    state_free(s);
    PyMem_RawFree(s);
    PyBuffer_Release(&view);
    return result;
}

static PyMethodDef methods[] = {
    {"scan", scan, METH_O,
     "scan(data) -> the columns of a Kineto chrome trace, or None where the Python path must read it."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT, "_kinetoscan", "Kineto chrome-trace JSON into columns.", -1, methods,
    NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__kinetoscan(void) { return PyModule_Create(&module_def); }
