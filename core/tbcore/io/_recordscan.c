/*
 * tbcore.io._recordscan: the C implementation of tbcore.io.scan.scan().
 *
 * The rules (framing, resynchronisation, what counts as a valid Event, merge semantics) are
 * documented in tbcore/io/scan.py and tbcore/io/_scan_py.py; this file implements exactly the
 * same rules, and the tests check that both implementations agree byte for byte.
 *
 * The whole parse runs without the GIL: the tag table and the damage list are plain C arrays
 * (PyMem_Raw*), turned into Python objects once the parse is done, and the columns are written
 * into bytes objects allocated beforehand (see Table). Allocation sizes follow the size of the
 * buffer and the data actually found in it, never a length field read from it. Every read is
 * checked against the end of its enclosing message.
 */

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define HAVE_SSE42_CRC 1
#include <nmmintrin.h>
#endif

#if defined(__GNUC__) || defined(__clang__)
#define LIKELY(x) __builtin_expect(!!(x), 1)
#define UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define LIKELY(x) (x)
#define UNLIKELY(x) (x)
#endif

/* Damage messages: verbatim copies of the MSG_* templates in _scan_py.py. */
#define MSG_PAYLOAD_CRC "payload CRC mismatch in record of %llu bytes, record skipped"
#define MSG_HEADER_CRC "length header CRC mismatch, scanning for the next valid record"
#define MSG_TOO_LONG \
    "length %llu exceeds the limit of %lld bytes, scanning for the next valid record"
#define MSG_SKIPPED "skipped %llu bytes of damaged data, resumed at offset %lld"
#define MSG_NOT_EVENT "record of %llu bytes is not a valid Event, record skipped"

#define HEADER_BYTES 12
#define FOOTER_BYTES 4
#define MASK_DELTA 0xa282ead8u

enum { WIRE_VARINT = 0, WIRE_FIXED64 = 1, WIRE_LEN = 2, WIRE_FIXED32 = 5 };
enum { KIND_SIMPLE_VALUE = 0, KIND_FLOAT_TENSOR = 1, KIND_DOUBLE_TENSOR = 2, KIND_OTHER = 3 };
enum { DT_FLOAT = 1, DT_DOUBLE = 2 };
enum { PARSE_NOMEM = -1, PARSE_MALFORMED = 0, PARSE_OK = 1 };

/* ------------------------------------------------------------------------------------------ */
/* Little-endian loads                                                                         */

static inline uint32_t load_u32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    v = __builtin_bswap32(v);
#endif
    return v;
}

static inline uint64_t load_u64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    v = __builtin_bswap64(v);
#endif
    return v;
}

static inline double load_f32(const uint8_t *p)
{
    uint32_t bits = load_u32(p);
    float f;
    memcpy(&f, &bits, 4);
    return (double)f;
}

static inline double load_f64(const uint8_t *p)
{
    uint64_t bits = load_u64(p);
    double d;
    memcpy(&d, &bits, 8);
    return d;
}

/* ------------------------------------------------------------------------------------------ */
/* CRC32C (Castagnoli): SSE4.2 instruction where the CPU has it, slicing-by-8 tables otherwise */

#define CRC32C_POLY 0x82f63b78u /* reflected */

static uint32_t crc_table[8][256];

static void crc_init_table(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = (c & 1) ? (c >> 1) ^ CRC32C_POLY : c >> 1;
        crc_table[0][i] = c;
    }
    /* crc_table[k][i]: the CRC register after byte i followed by k zero bytes. */
    for (int k = 1; k < 8; k++)
        for (uint32_t i = 0; i < 256; i++) {
            uint32_t c = crc_table[k - 1][i];
            crc_table[k][i] = (c >> 8) ^ crc_table[0][c & 0xff];
        }
}

static uint32_t crc_update_table(uint32_t crc, const uint8_t *p, size_t n)
{
    while (n >= 8) {
        uint32_t lo = load_u32(p) ^ crc, hi = load_u32(p + 4);
        crc = crc_table[7][lo & 0xff] ^ crc_table[6][(lo >> 8) & 0xff] ^
              crc_table[5][(lo >> 16) & 0xff] ^ crc_table[4][lo >> 24] ^
              crc_table[3][hi & 0xff] ^ crc_table[2][(hi >> 8) & 0xff] ^
              crc_table[1][(hi >> 16) & 0xff] ^ crc_table[0][hi >> 24];
        p += 8;
        n -= 8;
    }
    while (n--)
        crc = crc_table[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
    return crc;
}

#ifdef HAVE_SSE42_CRC
__attribute__((target("sse4.2"))) static uint32_t crc_update_sse42(uint32_t crc, const uint8_t *p,
                                                                   size_t n)
{
    uint64_t c = crc;
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        c = _mm_crc32_u64(c, w);
        p += 8;
        n -= 8;
    }
    crc = (uint32_t)c;
    if (n >= 4) {
        uint32_t w;
        memcpy(&w, p, 4);
        crc = _mm_crc32_u32(crc, w);
        p += 4;
        n -= 4;
    }
    while (n--)
        crc = _mm_crc32_u8(crc, *p++);
    return crc;
}
#endif

typedef uint32_t (*CrcUpdate)(uint32_t crc, const uint8_t *p, size_t n);

/* Set once at module initialisation, before any scan can run. */
static CrcUpdate crc_update = crc_update_table;

static inline uint32_t masked_crc(const uint8_t *p, size_t n)
{
    uint32_t crc = ~crc_update(0xffffffffu, p, n);
    return ((crc >> 15) | (crc << 17)) + MASK_DELTA;
}

/* ------------------------------------------------------------------------------------------ */
/* Growing arrays (PyMem_Raw*: usable without the GIL)                                         */

/* Grows *array (elements of `size` bytes) to hold `cap` elements. On failure *array is left
 * as it was (still valid, still owned by the caller). */
static int resize(void **array, size_t cap, size_t size)
{
    if (cap > PY_SSIZE_T_MAX / size)
        return 0;
    void *grown = PyMem_RawRealloc(*array, cap * size);
    if (grown == NULL)
        return 0;
    *array = grown;
    return 1;
}

static inline size_t next_capacity(size_t cap)
{
    return cap ? cap * 2 : 256;
}

/* Output columns. Writing them is most of the scan's memory traffic, so the value columns are
 * written straight into bytes objects allocated (with the GIL, before the scan) for the number
 * of records the buffer seems to hold, and shrunk to size afterwards: no copy, and no pages
 * touched twice. If the rows outgrow that (several values per event), a column moves to
 * growing PyMem_Raw memory and is copied into a new bytes object at the end. */
typedef struct {
    PyObject *bytes; /* preallocated storage, or NULL */
    uint8_t *raw;    /* PyMem_Raw storage once the rows outgrew `bytes`, or NULL */
    uint8_t *data;   /* where the rows are: raw if set, else the bytes' buffer */
} Column;

/* Columns of equal length. */
typedef struct {
    int ncols;
    const size_t *sizes; /* bytes per element of each column */
    Column *cols;
    size_t rows;     /* committed rows */
    size_t capacity; /* rows every column has room for */
} Table;

/* Column numbers, in the order of the Python result. */
enum { V_RECORD, V_TAG, V_KIND, V_STEP, V_WALL_TIME, V_VALUE, V_OFFSET, V_LENGTH, V_META_OFFSET,
       V_META_LENGTH, V_COLUMNS };
enum { O_RECORD, O_OFFSET, O_LENGTH, O_COLUMNS };

static const size_t value_sizes[V_COLUMNS] = {
    sizeof(int32_t), sizeof(int32_t), sizeof(uint8_t), sizeof(int64_t), sizeof(double),
    sizeof(double),  sizeof(int64_t), sizeof(int32_t), sizeof(int64_t), sizeof(int32_t),
};
static const size_t other_sizes[O_COLUMNS] = {sizeof(int32_t), sizeof(int64_t), sizeof(int64_t)};

#define CELL(t, c, type, row) (((type *)(t)->cols[c].data)[row])

/* Allocates bytes objects for `rows` rows in every column (needs the GIL). */
static int table_preallocate(Table *t, size_t rows)
{
    for (int c = 0; c < t->ncols; c++) {
        if (rows > (size_t)PY_SSIZE_T_MAX / t->sizes[c])
            return 0;
        t->cols[c].bytes = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)(rows * t->sizes[c]));
        if (t->cols[c].bytes == NULL)
            return 0;
        t->cols[c].data = (uint8_t *)PyBytes_AS_STRING(t->cols[c].bytes);
    }
    t->capacity = rows;
    return 1;
}

/* Makes room for `need` rows in every column (no GIL needed). */
static int table_reserve(Table *t, size_t need)
{
    if (need <= t->capacity)
        return 1;
    size_t cap = t->capacity ? 2 * t->capacity : 256;
    if (cap < need)
        cap = need;
    for (int c = 0; c < t->ncols; c++) {
        Column *col = &t->cols[c];
        if (col->raw == NULL && col->bytes != NULL) {
            uint8_t *raw = NULL;
            if (!resize((void **)&raw, cap, t->sizes[c]))
                return 0;
            memcpy(raw, col->data, t->capacity * t->sizes[c]); /* tentative rows too */
            col->raw = raw;
        } else if (!resize((void **)&col->raw, cap, t->sizes[c])) {
            return 0;
        }
        col->data = col->raw;
    }
    t->capacity = cap;
    return 1;
}

/* The bytes object holding column `c`, exactly `rows` long (needs the GIL; new reference). */
static PyObject *table_column_bytes(Table *t, int c)
{
    Column *col = &t->cols[c];
    Py_ssize_t size = (Py_ssize_t)(t->rows * t->sizes[c]);
    if (col->raw != NULL || col->bytes == NULL)
        return PyBytes_FromStringAndSize((const char *)col->data, size);
    PyObject *bytes = col->bytes;
    col->bytes = NULL;
    col->data = NULL;
    if (_PyBytes_Resize(&bytes, size) < 0)
        return NULL;
    return bytes;
}

/* Frees the storage, leaving the table empty (needs the GIL). */
static void table_free(Table *t)
{
    for (int c = 0; c < t->ncols; c++) {
        Py_CLEAR(t->cols[c].bytes);
        PyMem_RawFree(t->cols[c].raw);
        t->cols[c].raw = t->cols[c].data = NULL;
    }
    t->rows = t->capacity = 0;
}

/* How many records `buf` seems to hold: its records are counted by their length fields (no
 * CRC check), up to 4096 of them, and the rest of the buffer is assumed to hold records of
 * the same average size. Only a hint for preallocation, so capped at one per 32 bytes (a
 * scalar event takes about 45), which bounds what is allocated to about twice the buffer. */
static size_t estimate_records(const uint8_t *buf, size_t n, uint64_t max_length)
{
    size_t pos = 0, count = 0;
    while (count < 4096 && n - pos >= HEADER_BYTES + FOOTER_BYTES) {
        uint64_t length = load_u64(buf + pos);
        if (length > max_length || length > n - pos - HEADER_BYTES - FOOTER_BYTES)
            break;
        pos += HEADER_BYTES + FOOTER_BYTES + (size_t)length;
        count++;
    }
    size_t estimate = count;
    if (count == 4096 && pos < n)
        estimate += (size_t)((double)(n - pos) / (double)pos * (double)count) + count / 64;
    return estimate < n / 32 ? estimate : n / 32;
}

/* ------------------------------------------------------------------------------------------ */
/* Tag table: open addressing over the tag bytes, which stay in the scanned buffer             */

typedef struct {
    size_t start, length; /* the tag's bytes in the buffer */
    uint64_t hash;
    uint32_t next; /* index + 1 of the tag that followed this one last time, 0 if none */
} Tag;

typedef struct {
    Tag *tags;       /* in order of first appearance: the Python tag list */
    size_t count, cap;
    uint32_t *slots; /* tag index + 1, 0 for an empty slot */
    size_t mask;     /* number of slots - 1; the number of slots is a power of two */
    uint32_t last;   /* index + 1 of the tag looked up last, 0 if none */
} TagTable;

/* Tags are read with 8-byte loads, those of the last 1 to 8 bytes ending at the tag's end;
 * such a load may start up to 7 bytes before the tag. That stays inside the buffer because
 * every tag lies in a record payload, which starts at least HEADER_BYTES into the buffer. */

/* The last n (1 to 8) bytes ending at p + n, as a little-endian number. */
static inline uint64_t load_tail(const uint8_t *p, size_t n)
{
    return load_u64(p + n - 8) >> (64 - 8 * n);
}

static inline uint64_t hash_tag(const uint8_t *p, size_t n)
{
    uint64_t h = 0x9e3779b97f4a7c15ull * (n + 1);
    for (; n > 8; p += 8, n -= 8)
        h = (h ^ load_u64(p)) * 0xff51afd7ed558ccdull;
    h = (h ^ (n ? load_tail(p, n) : 0)) * 0xc4ceb9fe1a85ec53ull;
    return h ^ (h >> 32);
}

static inline int tag_equal(const uint8_t *a, const uint8_t *b, size_t n)
{
    for (; n > 8; a += 8, b += 8, n -= 8)
        if (load_u64(a) != load_u64(b))
            return 0;
    return n == 0 || load_tail(a, n) == load_tail(b, n);
}

static int tag_table_rehash(TagTable *t, size_t nslots)
{
    uint32_t *slots = PyMem_RawCalloc(nslots, sizeof(uint32_t));
    if (slots == NULL)
        return 0;
    for (size_t i = 0; i < t->count; i++) {
        size_t j = (size_t)t->tags[i].hash & (nslots - 1);
        while (slots[j])
            j = (j + 1) & (nslots - 1);
        slots[j] = (uint32_t)(i + 1);
    }
    PyMem_RawFree(t->slots);
    t->slots = slots;
    t->mask = nslots - 1;
    return 1;
}

/* Adds a tag known to be new; returns its index + 1, or 0 when out of memory. */
static uint32_t tag_table_add(TagTable *t, size_t start, size_t length, uint64_t hash)
{
    if (t->count >= INT32_MAX)
        return 0;
    if (t->count == t->cap) {
        size_t cap = next_capacity(t->cap);
        if (!resize((void **)&t->tags, cap, sizeof(Tag)))
            return 0;
        t->cap = cap;
    }
    /* Keep the load factor at most 1/2. */
    if (t->slots == NULL || 2 * (t->count + 1) > t->mask + 1) {
        if (!tag_table_rehash(t, t->slots == NULL ? 64 : 2 * (t->mask + 1)))
            return 0;
    }
    size_t j = (size_t)hash & t->mask;
    while (t->slots[j])
        j = (j + 1) & t->mask;
    Tag *tag = &t->tags[t->count];
    tag->start = start;
    tag->length = length;
    tag->hash = hash;
    tag->next = 0;
    t->slots[j] = (uint32_t)++t->count;
    return t->slots[j];
}

/* Index + 1 of the tag `buf[start:start+length]`, looked up by hash. */
static uint32_t tag_table_find(const TagTable *t, const uint8_t *buf, size_t start, size_t length,
                               uint64_t hash)
{
    if (t->slots == NULL)
        return 0;
    for (size_t j = (size_t)hash & t->mask; t->slots[j]; j = (j + 1) & t->mask) {
        const Tag *tag = &t->tags[t->slots[j] - 1];
        if (tag->hash == hash && tag->length == length &&
            tag_equal(buf + tag->start, buf + start, length))
            return t->slots[j];
    }
    return 0;
}

/* Index of the tag `buf[start:start+length]`, added if new; -1 when out of memory.
 *
 * Summaries are written in a steady rhythm (every tag at every step, or runs of one tag), so
 * the tag that followed this tag's predecessor last time is tried first: that one comparison
 * replaces hashing and probing for nearly every value. */
static int64_t tag_table_index(TagTable *t, const uint8_t *buf, size_t start, size_t length)
{
    Tag *last = t->last ? &t->tags[t->last - 1] : NULL;
    if (last != NULL && last->next && last->next <= t->count) {
        const Tag *guess = &t->tags[last->next - 1];
        if (guess->length == length && tag_equal(buf + guess->start, buf + start, length)) {
            t->last = last->next;
            return (int64_t)t->last - 1;
        }
    }
    uint64_t hash = hash_tag(buf + start, length);
    uint32_t found = tag_table_find(t, buf, start, length, hash);
    if (!found && !(found = tag_table_add(t, start, length, hash)))
        return -1;
    if (last != NULL) /* the add above may have moved the table: index again */
        t->tags[t->last - 1].next = found;
    t->last = found;
    return (int64_t)found - 1;
}

/* Forgets the tags added since the table had `count` tags and `last` was the last one looked
 * up (the tags of a record that turned out invalid). With linear probing, removing the newest
 * additions newest first restores the table exactly: no other tag was placed beyond them
 * (a rehash meanwhile re-adds tags oldest first, so that still holds). Stale `next` guesses
 * are harmless: they are checked against `count` and compared before use. */
static void tag_table_truncate(TagTable *t, size_t count, uint32_t last)
{
    while (t->count > count) {
        uint32_t id = (uint32_t)t->count--;
        size_t j = (size_t)t->tags[id - 1].hash & t->mask;
        while (t->slots[j] != id)
            j = (j + 1) & t->mask;
        t->slots[j] = 0;
    }
    t->last = last;
}

static void tag_table_free(TagTable *t)
{
    PyMem_RawFree(t->tags);
    PyMem_RawFree(t->slots);
}

/* ------------------------------------------------------------------------------------------ */
/* Damage entries: kept as numbers, formatted into the MSG_* strings at the end               */

typedef enum { DMG_PAYLOAD_CRC, DMG_HEADER_CRC, DMG_TOO_LONG, DMG_SKIPPED, DMG_NOT_EVENT } DamageKind;

typedef struct {
    int64_t offset;
    DamageKind kind;
    uint64_t a; /* record length, or bytes skipped */
    int64_t b;  /* length limit, or offset resumed at */
} Damage;

typedef struct {
    Damage *items;
    size_t count, cap;
} DamageList;

/* ------------------------------------------------------------------------------------------ */
/* Scan state                                                                                  */

typedef struct {
    /* input */
    const uint8_t *buf;
    size_t n;
    int64_t base;
    uint64_t max_length;
    int resync_in;
    /* output */
    size_t consumed;
    int resync_out;
    int64_t records;
    int nomem;
    Table v, o;
    Column v_cols[V_COLUMNS], o_cols[O_COLUMNS];
    TagTable tags;
    DamageList damage;
    /* Rows of the current record, written after the committed ones but not counted yet: a
     * record's rows (and tags) are committed only once the whole record has decoded, so an
     * invalid record leaves none behind. */
    size_t pending;
} Scan;

static int add_damage(Scan *s, size_t pos, DamageKind kind, uint64_t a, int64_t b)
{
    DamageList *d = &s->damage;
    if (d->count == d->cap) {
        size_t cap = next_capacity(d->cap);
        if (!resize((void **)&d->items, cap, sizeof(Damage))) {
            s->nomem = 1;
            return 0;
        }
        d->cap = cap;
    }
    Damage *item = &d->items[d->count++];
    item->offset = s->base + (int64_t)pos;
    item->kind = kind;
    item->a = a;
    item->b = b;
    return 1;
}

static void scan_init(Scan *s, const uint8_t *buf, size_t n, int64_t base, uint64_t max_length,
                      int resync)
{
    memset(s, 0, sizeof *s);
    s->buf = buf;
    s->n = n;
    s->base = base;
    s->max_length = max_length;
    s->resync_in = resync;
    s->v.ncols = V_COLUMNS;
    s->v.sizes = value_sizes;
    s->v.cols = s->v_cols;
    s->o.ncols = O_COLUMNS;
    s->o.sizes = other_sizes;
    s->o.cols = s->o_cols;
}

static void scan_free(Scan *s)
{
    table_free(&s->v);
    table_free(&s->o);
    tag_table_free(&s->tags);
    PyMem_RawFree(s->damage.items);
}

/* ------------------------------------------------------------------------------------------ */
/* Protobuf wire decoding. Each reader returns the position after what it read, or NULL when  */
/* the bytes up to `end` do not hold a well-formed field.                                      */

static inline const uint8_t *read_varint(const uint8_t *p, const uint8_t *end, uint64_t *out)
{
    if (LIKELY(p < end && *p < 0x80)) {
        *out = *p;
        return p + 1;
    }
    uint64_t result = 0;
    for (int shift = 0; shift < 70; shift += 7) {
        if (p >= end)
            return NULL;
        uint8_t byte = *p++;
        result |= (uint64_t)(byte & 0x7f) << shift; /* shift <= 63: bits beyond 64 dropped */
        if (byte < 0x80) {
            *out = result;
            return p;
        }
    }
    return NULL; /* more than 10 bytes */
}

/* A field key: field number (non-zero, key within 32 bits) and wire type. */
static inline const uint8_t *read_key(const uint8_t *p, const uint8_t *end, uint32_t *number,
                                      int *wire)
{
    uint64_t key;
    p = read_varint(p, end, &key);
    if (p == NULL || key > UINT32_MAX || key < 8)
        return NULL;
    *number = (uint32_t)(key >> 3);
    *wire = (int)(key & 7);
    return p;
}

/* The length prefix of a length-delimited field, checked to fit before `end`. */
static inline const uint8_t *read_length(const uint8_t *p, const uint8_t *end, size_t *length)
{
    uint64_t value;
    p = read_varint(p, end, &value);
    if (p == NULL || value > (uint64_t)(end - p))
        return NULL;
    *length = (size_t)value;
    return p;
}

/* Skips the value of a field; groups and undefined wire types are malformed. */
static const uint8_t *skip_value(const uint8_t *p, const uint8_t *end, int wire)
{
    uint64_t ignored;
    size_t length;
    switch (wire) {
    case WIRE_VARINT:
        return read_varint(p, end, &ignored);
    case WIRE_FIXED64:
        return end - p >= 8 ? p + 8 : NULL;
    case WIRE_LEN:
        p = read_length(p, end, &length);
        return p == NULL ? NULL : p + length;
    case WIRE_FIXED32:
        return end - p >= 4 ? p + 4 : NULL;
    default:
        return NULL;
    }
}

/* ------------------------------------------------------------------------------------------ */
/* TensorProto: just enough to tell a float/double scalar                                     */

typedef struct {
    uint32_t dtype;
    uint64_t dims;
    int unknown_rank;
    const uint8_t *content;
    size_t content_length;
    uint64_t float_count, double_count;
    double float_last, double_last;
} Tensor;

static int merge_tensor_shape(Tensor *t, const uint8_t *p, const uint8_t *end)
{
    while (p < end) {
        uint32_t number;
        int wire;
        uint64_t flag;
        size_t length;
        if ((p = read_key(p, end, &number, &wire)) == NULL)
            return 0;
        if (number == 2 && wire == WIRE_LEN) {
            if ((p = read_length(p, end, &length)) == NULL)
                return 0;
            t->dims++;
            p += length;
        } else if (number == 3 && wire == WIRE_VARINT) {
            if ((p = read_varint(p, end, &flag)) == NULL)
                return 0;
            t->unknown_rank = flag != 0;
        } else if ((p = skip_value(p, end, wire)) == NULL) {
            return 0;
        }
    }
    return 1;
}

/* Decodes one serialized TensorProto into `t` (protobuf merge semantics across calls). */
static int merge_tensor(Tensor *t, const uint8_t *p, const uint8_t *end)
{
    while (p < end) {
        uint32_t number;
        int wire;
        uint64_t dtype;
        size_t length;
        if ((p = read_key(p, end, &number, &wire)) == NULL)
            return 0;
        if (number == 1 && wire == WIRE_VARINT) {
            if ((p = read_varint(p, end, &dtype)) == NULL)
                return 0;
            t->dtype = (uint32_t)dtype; /* enums are int32 on the wire */
        } else if (number == 5 && wire == WIRE_FIXED32) {
            if (end - p < 4)
                return 0;
            t->float_count++;
            t->float_last = load_f32(p);
            p += 4;
        } else if (number == 6 && wire == WIRE_FIXED64) {
            if (end - p < 8)
                return 0;
            t->double_count++;
            t->double_last = load_f64(p);
            p += 8;
        } else if (wire == WIRE_LEN) {
            if ((p = read_length(p, end, &length)) == NULL)
                return 0;
            if (number == 2) {
                if (!merge_tensor_shape(t, p, p + length))
                    return 0;
            } else if (number == 4) {
                t->content = p;
                t->content_length = length;
            } else if (number == 5) { /* packed float_val */
                if (length % 4)
                    return 0;
                if (length) {
                    t->float_count += length / 4;
                    t->float_last = load_f32(p + length - 4);
                }
            } else if (number == 6) { /* packed double_val */
                if (length % 8)
                    return 0;
                if (length) {
                    t->double_count += length / 8;
                    t->double_last = load_f64(p + length - 8);
                }
            }
            p += length;
        } else if ((p = skip_value(p, end, wire)) == NULL) {
            return 0;
        }
    }
    return 1;
}

static uint8_t tensor_scalar(const Tensor *t, double *value)
{
    if (t->dims || t->unknown_rank)
        return KIND_OTHER;
    if (t->dtype == DT_FLOAT) {
        if (t->content_length == 4) {
            *value = load_f32(t->content);
            return KIND_FLOAT_TENSOR;
        }
        if (t->content_length == 0 && t->float_count == 1) {
            *value = t->float_last;
            return KIND_FLOAT_TENSOR;
        }
    } else if (t->dtype == DT_DOUBLE) {
        if (t->content_length == 8) {
            *value = load_f64(t->content);
            return KIND_DOUBLE_TENSOR;
        }
        if (t->content_length == 0 && t->double_count == 1) {
            *value = t->double_last;
            return KIND_DOUBLE_TENSOR;
        }
    }
    return KIND_OTHER;
}

/* ------------------------------------------------------------------------------------------ */
/* Event, Summary, Summary.Value                                                               */

/* Decodes the Summary.Value at p..end into row `row` of the value columns (all but record,
 * step and wall time, which commit_values fills in). */
static int parse_value(Scan *s, const uint8_t *p, const uint8_t *end, size_t row)
{
    const uint8_t *tag = NULL, *node_name = NULL, *meta = NULL;
    size_t tag_length = 0, node_name_length = 0, meta_length = 0;
    int has_simple = 0, has_tensor = 0, has_other = 0;
    double simple = 0.0;
    Tensor tensor;
    Table *v = &s->v;

    CELL(v, V_OFFSET, int64_t, row) = s->base + (int64_t)(p - s->buf);
    CELL(v, V_LENGTH, int32_t, row) = (int32_t)(end - p); /* at most INT32_MAX: see caller */
    while (p < end) {
        uint32_t number;
        int wire;
        size_t length;
        if ((p = read_key(p, end, &number, &wire)) == NULL)
            return PARSE_MALFORMED;
        if (wire == WIRE_LEN) {
            if ((p = read_length(p, end, &length)) == NULL)
                return PARSE_MALFORMED;
            switch (number) {
            case 1:
                tag = p;
                tag_length = length;
                break;
            case 7:
                node_name = p;
                node_name_length = length;
                break;
            case 9:
                meta = p;
                meta_length = length;
                break;
            case 8:
                if (!has_tensor) {
                    memset(&tensor, 0, sizeof tensor);
                    has_tensor = 1;
                }
                if (!merge_tensor(&tensor, p, p + length))
                    return PARSE_MALFORMED;
                break;
            case 3:
            case 4:
            case 5:
            case 6:
                has_other = 1;
                break;
            }
            p += length;
        } else if (number == 2 && wire == WIRE_FIXED32) {
            if (end - p < 4)
                return PARSE_MALFORMED;
            simple = load_f32(p);
            has_simple = 1;
            p += 4;
        } else if ((p = skip_value(p, end, wire)) == NULL) {
            return PARSE_MALFORMED;
        }
    }

    uint8_t kind = KIND_OTHER;
    double value = 0.0;
    if (has_simple) {
        if (!has_tensor && !has_other) {
            kind = KIND_SIMPLE_VALUE;
            value = simple;
        }
    } else if (has_tensor && !has_other) {
        kind = tensor_scalar(&tensor, &value);
    }
    CELL(v, V_KIND, uint8_t, row) = kind;
    CELL(v, V_VALUE, double, row) = value;
    CELL(v, V_META_OFFSET, int64_t, row) = meta ? s->base + (int64_t)(meta - s->buf) : -1;
    CELL(v, V_META_LENGTH, int32_t, row) = (int32_t)meta_length;

    if (tag_length == 0) {
        tag = node_name;
        tag_length = node_name_length;
    }
    int64_t index = tag_table_index(&s->tags, s->buf, tag_length ? (size_t)(tag - s->buf) : 0,
                                    tag_length);
    if (index < 0)
        return PARSE_NOMEM;
    CELL(v, V_TAG, int32_t, row) = (int32_t)index;
    return PARSE_OK;
}

/* Adds a pending row for every Value of the Summary at p..end. */
static int parse_summary(Scan *s, const uint8_t *p, const uint8_t *end)
{
    while (p < end) {
        uint32_t number;
        int wire;
        size_t length;
        if ((p = read_key(p, end, &number, &wire)) == NULL)
            return PARSE_MALFORMED;
        if (number == 1 && wire == WIRE_LEN) {
            if ((p = read_length(p, end, &length)) == NULL || length > INT32_MAX)
                return PARSE_MALFORMED;
            size_t row = s->v.rows + s->pending;
            if (UNLIKELY(row >= s->v.capacity) && !table_reserve(&s->v, row + 1))
                return PARSE_NOMEM;
            int status = parse_value(s, p, p + length, row);
            if (status != PARSE_OK)
                return status;
            s->pending++;
            p += length;
        } else if ((p = skip_value(p, end, wire)) == NULL) {
            return PARSE_MALFORMED;
        }
    }
    return PARSE_OK;
}

typedef struct {
    double wall_time;
    int64_t step;
    int is_summary;
} EventHeader;

/* One pass over an Event that decodes the summary values as they come: the quick route for
 * the common case. It gives up (PARSE_MALFORMED) as soon as the event turns out not to be a
 * well-formed summary event; scan_record then takes the careful route, which alone decides. */
static int parse_summary_event(Scan *s, const uint8_t *p, const uint8_t *end, EventHeader *h)
{
    int summary = 0;
    h->wall_time = 0.0;
    h->step = 0;
    while (p < end) {
        uint32_t number;
        int wire;
        uint64_t step;
        size_t length;
        if ((p = read_key(p, end, &number, &wire)) == NULL)
            return PARSE_MALFORMED;
        if (number == 1 && wire == WIRE_FIXED64) {
            if (end - p < 8)
                return PARSE_MALFORMED;
            h->wall_time = load_f64(p);
            p += 8;
        } else if (number == 2 && wire == WIRE_VARINT) {
            if ((p = read_varint(p, end, &step)) == NULL)
                return PARSE_MALFORMED;
            h->step = (int64_t)step;
        } else if (wire == WIRE_LEN) {
            if ((p = read_length(p, end, &length)) == NULL)
                return PARSE_MALFORMED;
            if (number == 5) {
                int status = parse_summary(s, p, p + length);
                if (status != PARSE_OK)
                    return status;
                summary = 1;
            } else if (number >= 3 && number <= 9) {
                return PARSE_MALFORMED; /* not a summary event */
            }
            p += length;
        } else if ((p = skip_value(p, end, wire)) == NULL) {
            return PARSE_MALFORMED;
        }
    }
    h->is_summary = summary;
    return summary ? PARSE_OK : PARSE_MALFORMED;
}

/* The careful route, first pass: wall_time, step, and whether it is a summary event. */
static int parse_event_header(const uint8_t *p, const uint8_t *end, EventHeader *h)
{
    int summary = 0, other = 0;
    h->wall_time = 0.0;
    h->step = 0;
    while (p < end) {
        uint32_t number;
        int wire;
        uint64_t step;
        size_t length;
        if ((p = read_key(p, end, &number, &wire)) == NULL)
            return 0;
        if (number == 1 && wire == WIRE_FIXED64) {
            if (end - p < 8)
                return 0;
            h->wall_time = load_f64(p);
            p += 8;
        } else if (number == 2 && wire == WIRE_VARINT) {
            if ((p = read_varint(p, end, &step)) == NULL)
                return 0;
            h->step = (int64_t)step;
        } else if (wire == WIRE_LEN) {
            if ((p = read_length(p, end, &length)) == NULL)
                return 0;
            p += length;
            if (number == 5)
                summary = 1;
            else if (number >= 3 && number <= 9)
                other = 1;
        } else if ((p = skip_value(p, end, wire)) == NULL) {
            return 0;
        }
    }
    h->is_summary = summary && !other;
    return 1;
}

/* The careful route, second pass over a summary event (well-formed at the top level). */
static int parse_event_values(Scan *s, const uint8_t *p, const uint8_t *end)
{
    while (p < end) {
        uint32_t number;
        int wire;
        size_t length;
        /* The first pass checked these; checked again all the same, since a bytearray being
         * scanned may be changed by another thread meanwhile. */
        if ((p = read_key(p, end, &number, &wire)) == NULL)
            return PARSE_MALFORMED;
        if (number == 5 && wire == WIRE_LEN) {
            if ((p = read_length(p, end, &length)) == NULL)
                return PARSE_MALFORMED;
            int status = parse_summary(s, p, p + length);
            if (status != PARSE_OK)
                return status;
            p += length;
        } else if ((p = skip_value(p, end, wire)) == NULL) {
            return PARSE_MALFORMED;
        }
    }
    return PARSE_OK;
}

/* Commits the pending rows of a summary event. */
static void commit_values(Scan *s, const EventHeader *h)
{
    Table *v = &s->v;
    for (size_t row = v->rows; row < v->rows + s->pending; row++) {
        CELL(v, V_RECORD, int32_t, row) = (int32_t)s->records;
        CELL(v, V_STEP, int64_t, row) = h->step;
        CELL(v, V_WALL_TIME, double, row) = h->wall_time;
    }
    v->rows += s->pending;
}

static int commit_other(Scan *s, size_t start, size_t length)
{
    Table *o = &s->o;
    if (UNLIKELY(o->rows == o->capacity) && !table_reserve(o, o->rows + 1))
        return 0;
    size_t row = o->rows++;
    CELL(o, O_RECORD, int32_t, row) = (int32_t)s->records;
    CELL(o, O_OFFSET, int64_t, row) = s->base + (int64_t)start;
    CELL(o, O_LENGTH, int64_t, row) = (int64_t)length;
    return 1;
}

/* Decodes the Event payload at buf[start:start+length] into rows. */
static int scan_record(Scan *s, size_t start, size_t length)
{
    const uint8_t *p = s->buf + start, *end = p + length;
    const size_t tags = s->tags.count;
    const uint32_t last_tag = s->tags.last;
    EventHeader h;

    s->pending = 0;
    int status = parse_summary_event(s, p, end, &h);
    if (status == PARSE_MALFORMED) {
        tag_table_truncate(&s->tags, tags, last_tag);
        s->pending = 0;
        if (!parse_event_header(p, end, &h))
            return PARSE_MALFORMED;
        status = h.is_summary ? parse_event_values(s, p, end) : PARSE_OK;
        if (status == PARSE_MALFORMED)
            tag_table_truncate(&s->tags, tags, last_tag);
    }
    if (status != PARSE_OK)
        return status;
    if (h.is_summary)
        commit_values(s, &h);
    else if (!commit_other(s, start, length))
        return PARSE_NOMEM;
    s->records++;
    return PARSE_OK;
}

/* ------------------------------------------------------------------------------------------ */
/* Framing                                                                                     */

/* Whether the record whose header at `pos` (all 12 bytes there) says `length` is all there. */
static inline int record_complete(const Scan *s, size_t pos, uint64_t length)
{
    size_t avail = s->n - pos - HEADER_BYTES;
    return avail >= FOOTER_BYTES && length <= avail - FOOTER_BYTES;
}

/* Whether the header at `pos` (all 12 bytes there) has a right CRC and an acceptable length. */
static inline int header_ok(const Scan *s, size_t pos, uint64_t *length)
{
    *length = load_u64(s->buf + pos);
    return masked_crc(s->buf + pos, 8) == load_u32(s->buf + pos + 8) &&
           *length <= s->max_length;
}

static inline int payload_ok(const Scan *s, size_t pos, size_t length)
{
    const uint8_t *payload = s->buf + pos + HEADER_BYTES;
    return masked_crc(payload, length) == load_u32(payload + length);
}

/* First offset from `pos` with a trustworthy header: right header CRC, acceptable length, and
 * a payload that is either incomplete or has the right CRC. Returns 0 if there is none. */
static int find_header(const Scan *s, size_t pos, size_t *found)
{
    for (size_t c = pos; s->n - c >= HEADER_BYTES; c++) {
        uint64_t length;
        if (header_ok(s, c, &length) &&
            (!record_complete(s, c, length) || payload_ok(s, c, (size_t)length))) {
            *found = c;
            return 1;
        }
    }
    return 0;
}

/* Checks and decodes the complete record at `pos`; returns 0 when out of memory. */
static int scan_framed_record(Scan *s, size_t pos, size_t length)
{
    if (!payload_ok(s, pos, length))
        return add_damage(s, pos, DMG_PAYLOAD_CRC, length, 0);
    switch (scan_record(s, pos + HEADER_BYTES, length)) {
    case PARSE_OK:
        return 1;
    case PARSE_MALFORMED:
        return add_damage(s, pos, DMG_NOT_EVENT, length, 0);
    default:
        s->nomem = 1;
        return 0;
    }
}

/* The scan proper; runs without the GIL. Sets s->nomem on allocation failure. */
static void scan_buffer(Scan *s)
{
    const size_t n = s->n;
    size_t pos = 0, skip_start = 0;
    int searching = s->resync_in;

    for (;;) {
        if (searching) {
            size_t found;
            if (!find_header(s, pos, &found)) {
                /* The offsets from n - 11 on could not be tried yet. */
                s->consumed = n > pos + HEADER_BYTES - 1 ? n - (HEADER_BYTES - 1) : pos;
                s->resync_out = 1;
                return;
            }
            if (!add_damage(s, skip_start, DMG_SKIPPED, found - skip_start,
                            s->base + (int64_t)found))
                return;
            pos = found;
            searching = 0;
        }
        if (n - pos < HEADER_BYTES)
            break;
        uint64_t length = load_u64(s->buf + pos);
        int ok;
        if (masked_crc(s->buf + pos, 8) != load_u32(s->buf + pos + 8)) {
            ok = add_damage(s, pos, DMG_HEADER_CRC, 0, 0);
        } else if (length > s->max_length) {
            ok = add_damage(s, pos, DMG_TOO_LONG, length, (int64_t)s->max_length);
        } else if (!record_complete(s, pos, length)) {
            break; /* wait for the rest */
        } else {
            if (!scan_framed_record(s, pos, (size_t)length))
                return;
            pos += HEADER_BYTES + (size_t)length + FOOTER_BYTES;
            continue;
        }
        if (!ok)
            return;
        searching = 1;
        skip_start = pos;
        pos++;
    }
    s->consumed = pos;
    s->resync_out = 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Python objects                                                                              */

static PyObject *build_tags(const Scan *s)
{
    PyObject *list = PyList_New((Py_ssize_t)s->tags.count);
    if (list == NULL)
        return NULL;
    for (size_t i = 0; i < s->tags.count; i++) {
        const Tag *tag = &s->tags.tags[i];
        PyObject *bytes =
            PyBytes_FromStringAndSize((const char *)s->buf + tag->start, (Py_ssize_t)tag->length);
        if (bytes == NULL) {
            Py_DECREF(list);
            return NULL;
        }
        PyList_SET_ITEM(list, (Py_ssize_t)i, bytes);
    }
    return list;
}

static PyObject *build_columns(Scan *s)
{
    Table *tables[2] = {&s->v, &s->o};
    PyObject *tuple = PyTuple_New(V_COLUMNS + O_COLUMNS);
    if (tuple == NULL)
        return NULL;
    Py_ssize_t i = 0;
    for (int k = 0; k < 2; k++) {
        for (int c = 0; c < tables[k]->ncols; c++) {
            PyObject *bytes = table_column_bytes(tables[k], c);
            if (bytes == NULL) {
                Py_DECREF(tuple);
                return NULL;
            }
            PyTuple_SET_ITEM(tuple, i++, bytes);
        }
    }
    return tuple;
}

static PyObject *format_damage(const Damage *d)
{
    char text[256];
    const unsigned long long a = (unsigned long long)d->a;
    const long long b = (long long)d->b;
    switch (d->kind) {
    case DMG_PAYLOAD_CRC:
        snprintf(text, sizeof text, MSG_PAYLOAD_CRC, a);
        break;
    case DMG_HEADER_CRC:
        snprintf(text, sizeof text, "%s", MSG_HEADER_CRC);
        break;
    case DMG_TOO_LONG:
        snprintf(text, sizeof text, MSG_TOO_LONG, a, b);
        break;
    case DMG_SKIPPED:
        snprintf(text, sizeof text, MSG_SKIPPED, a, b);
        break;
    case DMG_NOT_EVENT:
    default:
        snprintf(text, sizeof text, MSG_NOT_EVENT, a);
        break;
    }
    return Py_BuildValue("(Ls)", (long long)d->offset, text);
}

static PyObject *build_damage(const Scan *s)
{
    PyObject *list = PyList_New((Py_ssize_t)s->damage.count);
    if (list == NULL)
        return NULL;
    for (size_t i = 0; i < s->damage.count; i++) {
        PyObject *item = format_damage(&s->damage.items[i]);
        if (item == NULL) {
            Py_DECREF(list);
            return NULL;
        }
        PyList_SET_ITEM(list, (Py_ssize_t)i, item);
    }
    return list;
}

static PyObject *build_item(Scan *s, int i)
{
    switch (i) {
    case 0:
        return PyLong_FromSize_t(s->consumed);
    case 1:
        return PyBool_FromLong(s->resync_out);
    case 2:
        return build_tags(s);
    case 3:
        return build_columns(s);
    case 4:
        return build_damage(s);
    default:
        return PyLong_FromLongLong(s->records);
    }
}

/* (consumed, resync, tags, columns, damage, records) */
static PyObject *build_result(Scan *s)
{
    PyObject *result = PyTuple_New(6);
    if (result == NULL)
        return NULL;
    for (int i = 0; i < 6; i++) {
        PyObject *item = build_item(s, i);
        if (item == NULL) {
            Py_DECREF(result); /* the NULL items not yet set are skipped */
            return NULL;
        }
        PyTuple_SET_ITEM(result, i, item);
    }
    return result;
}

PyDoc_STRVAR(scan_doc,
             "scan(buf, base_offset, resync, max_record_length)\n--\n\n"
             "Scan a buffer of TFRecord-framed Event records (see tbcore.io.scan).\n\n"
             "Returns (consumed, resync, tags, columns, damage, records), columns being a\n"
             "tuple of 13 bytes objects holding the v_* and o_* arrays in the order\n"
             "record, tag, kind, step, wall_time, value, offset, length, meta_offset,\n"
             "meta_length, o_record, o_offset, o_length. Releases the GIL while scanning.");

static PyObject *recordscan_scan(PyObject *module, PyObject *args)
{
    Py_buffer view;
    long long base, max_length;
    int resync;
    (void)module;
    if (!PyArg_ParseTuple(args, "y*LpL:scan", &view, &base, &resync, &max_length))
        return NULL;
    if (base < 0 || (unsigned long long)view.len > (unsigned long long)(INT64_MAX - base)) {
        PyBuffer_Release(&view);
        return PyErr_Format(PyExc_ValueError, "base_offset %lld out of range", base);
    }
    if (max_length < 0) {
        PyBuffer_Release(&view);
        return PyErr_Format(PyExc_ValueError, "max_record_length %lld is negative", max_length);
    }

    Scan s;
    scan_init(&s, (const uint8_t *)view.buf, (size_t)view.len, base, (uint64_t)max_length, resync);
    size_t expected = estimate_records(s.buf, s.n, s.max_length);
    if (expected > 0 && !table_preallocate(&s.v, expected)) {
        /* Only an optimisation: go on without (the scan allocates what it needs). */
        PyErr_Clear();
        table_free(&s.v);
    }

    Py_BEGIN_ALLOW_THREADS
    scan_buffer(&s);
    Py_END_ALLOW_THREADS

    PyObject *result = s.nomem ? PyErr_NoMemory() : build_result(&s);
    scan_free(&s);
    PyBuffer_Release(&view); /* after build_result: the tags are copied out of the buffer */
    return result;
}

/* ------------------------------------------------------------------------------------------ */
/* Grouping the value rows of a scan by tag                                                     */

PyDoc_STRVAR(group_doc,
             "group_by_tag(tags, ntags, kind, step, wall_time, value)\n--\n\n"
             "Group the v_* rows of a scan by tag id (a stable counting sort; see\n"
             "tbcore.data.tag_groups). Returns bytearrays (order, counts, kind, step,\n"
             "wall_time, value) and the flags (has_other, has_double, wide_steps):\n"
             "order (int32) holds the row numbers grouped by tag, counts (int64) the rows\n"
             "of each tag id, and the columns are gathered in that order; step is int32\n"
             "unless some step is outside its range, value float32 unless some row is a\n"
             "double tensor.\n"
             "Releases the GIL while grouping.");

static PyObject *recordscan_group_by_tag(PyObject *module, PyObject *args)
{
    Py_buffer tags, kind, step, wall, value;
    Py_ssize_t ntags;
    (void)module;
    if (!PyArg_ParseTuple(args, "y*ny*y*y*y*:group_by_tag", &tags, &ntags, &kind, &step, &wall,
                          &value))
        return NULL;
    PyObject *result = NULL;
    PyObject *out[6] = {NULL, NULL, NULL, NULL, NULL, NULL};
    size_t *next = NULL;
    const size_t n = (size_t)tags.len / sizeof(int32_t);
    if (ntags < 0 || (size_t)kind.len != n || (size_t)step.len != n * sizeof(int64_t) ||
        (size_t)wall.len != n * sizeof(double) || (size_t)value.len != n * sizeof(double)) {
        PyErr_SetString(PyExc_ValueError, "group_by_tag: columns of different lengths");
        goto done;
    }
    const int32_t *tag = (const int32_t *)tags.buf;
    const uint8_t *kinds = (const uint8_t *)kind.buf;
    const int64_t *steps = (const int64_t *)step.buf;
    int has_other = 0, has_double = 0, wide_steps = 0, bad_tag = 0;
    Py_BEGIN_ALLOW_THREADS
    for (size_t i = 0; i < n; i++) {
        bad_tag |= tag[i] < 0 || tag[i] >= ntags;
        has_other |= kinds[i] == KIND_OTHER;
        has_double |= kinds[i] == KIND_DOUBLE_TENSOR;
        wide_steps |= steps[i] < INT32_MIN || steps[i] > INT32_MAX;
    }
    Py_END_ALLOW_THREADS
    if (bad_tag) {
        PyErr_SetString(PyExc_ValueError, "group_by_tag: tag id out of range");
        goto done;
    }
    const size_t step_size = wide_steps ? sizeof(int64_t) : sizeof(int32_t);
    const size_t value_size = has_double ? sizeof(double) : sizeof(float);
    const size_t sizes[6] = {sizeof(int32_t), sizeof(int64_t) * (size_t)ntags, 1, step_size,
                             sizeof(double), value_size};
    for (int c = 0; c < 6; c++) {
        /* bytearrays: numpy views of them are writable, so series can adopt the columns */
        out[c] = PyByteArray_FromStringAndSize(NULL,
                                               (Py_ssize_t)(c == 1 ? sizes[1] : n * sizes[c]));
        if (out[c] == NULL)
            goto done;
    }
    next = PyMem_Malloc(((size_t)ntags + 1) * sizeof(size_t));
    if (next == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    int32_t *order = (int32_t *)PyByteArray_AS_STRING(out[0]);
    int64_t *counts = (int64_t *)PyByteArray_AS_STRING(out[1]);
    uint8_t *kind_g = (uint8_t *)PyByteArray_AS_STRING(out[2]);
    char *step_g = PyByteArray_AS_STRING(out[3]);
    double *wall_g = (double *)PyByteArray_AS_STRING(out[4]);
    char *value_g = PyByteArray_AS_STRING(out[5]);
    const double *walls = (const double *)wall.buf;
    const double *values = (const double *)value.buf;

    Py_BEGIN_ALLOW_THREADS
    memset(counts, 0, sizes[1]);
    for (size_t i = 0; i < n; i++)
        counts[tag[i]]++;
    size_t start = 0;
    for (Py_ssize_t t = 0; t < ntags; t++) {
        next[t] = start;
        start += (size_t)counts[t];
    }
    for (size_t i = 0; i < n; i++) {
        const size_t j = next[tag[i]]++;
        order[j] = (int32_t)i;
        kind_g[j] = kinds[i];
        if (wide_steps)
            ((int64_t *)step_g)[j] = steps[i];
        else
            ((int32_t *)step_g)[j] = (int32_t)steps[i];
        wall_g[j] = walls[i];
        if (has_double)
            ((double *)value_g)[j] = values[i];
        else
            ((float *)value_g)[j] = (float)values[i];
    }
    Py_END_ALLOW_THREADS

    result = PyTuple_New(9);
    if (result == NULL)
        goto done;
    for (int c = 0; c < 6; c++) {
        PyTuple_SET_ITEM(result, c, out[c]); /* steals the reference */
        out[c] = NULL;
    }
    PyTuple_SET_ITEM(result, 6, PyBool_FromLong(has_other));
    PyTuple_SET_ITEM(result, 7, PyBool_FromLong(has_double));
    PyTuple_SET_ITEM(result, 8, PyBool_FromLong(wide_steps));
done:
    for (int c = 0; c < 6; c++)
        Py_XDECREF(out[c]);
    PyMem_Free(next);
    PyBuffer_Release(&tags);
    PyBuffer_Release(&kind);
    PyBuffer_Release(&step);
    PyBuffer_Release(&wall);
    PyBuffer_Release(&value);
    return result;
}

static PyMethodDef recordscan_methods[] = {
    {"scan", recordscan_scan, METH_VARARGS, scan_doc},
    {"group_by_tag", recordscan_group_by_tag, METH_VARARGS, group_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef recordscan_module = {
    PyModuleDef_HEAD_INIT,
    "_recordscan",
    "C implementation of tbcore.io.scan.scan (TFRecord/Event scanner).",
    -1,
    recordscan_methods,
    NULL,
    NULL,
    NULL,
    NULL,
};

PyMODINIT_FUNC PyInit__recordscan(void)
{
    crc_init_table();
#ifdef HAVE_SSE42_CRC
    /* TBCORE_CRC32C_PORTABLE=1 selects the table-driven CRC, so the tests can cover it. */
    const char *portable = getenv("TBCORE_CRC32C_PORTABLE");
    __builtin_cpu_init();
    if (__builtin_cpu_supports("sse4.2") && !(portable && strcmp(portable, "1") == 0))
        crc_update = crc_update_sse42;
#endif
    PyObject *module = PyModule_Create(&recordscan_module);
    if (module == NULL)
        return NULL;
    if (PyModule_AddStringConstant(module, "CRC32C",
                                   crc_update == crc_update_table ? "table" : "sse4.2") < 0) {
        Py_DECREF(module);
        return NULL;
    }
    return module;
}
