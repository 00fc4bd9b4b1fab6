#include "vhv/common/device_map.h"

#include "vhv/common/format.h"

namespace nestlab::device_map {
namespace {

bool id_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == ',' ||
         c == '.' || c == '_' || c == '+' || c == '-';
}

bool space(char c) { return c == ' ' || c == '\t' || c == '\r'; }

bool same(const char* a, const char* b) {
  while (*a && *a == *b) ++a, ++b;
  return *a == *b;
}

void copy_cut(char* dst, const char* src, size_t n) {
  const size_t m = n < kMaxId ? n : kMaxId;
  for (size_t i = 0; i < m; ++i) dst[i] = src[i];
  dst[m] = '\0';
}

// Checks one identifier [b, e) (already trimmed) and copies it to `dst`.
Problem take_id(const char* b, const char* e, char* dst, ParseError* err) {
  const size_t n = static_cast<size_t>(e - b);
  copy_cut(err->id, b, n);
  if (n == 0) return Problem::EmptyId;
  if (n > kMaxId) return Problem::TooLong;
  for (const char* p = b; p < e; ++p)
    if (!id_char(*p)) return Problem::BadCharacter;
  copy_cut(dst, b, n);
  return Problem::None;
}

}  // namespace

const char* Table::lookup(const char* device) const {
  for (unsigned i = 0; i < count; ++i)
    if (same(entries[i].device, device)) return entries[i].guest;
  return nullptr;
}

bool parse(const char* text, size_t len, Table* out, ParseError* error) {
  *error = ParseError{};
  out->count = 0;
  if (len > kMaxText) {
    error->problem = Problem::TooBig;
    return false;
  }
  unsigned line_no = 0;
  unsigned first_line[kMaxEntries] = {};
  for (size_t pos = 0; pos < len;) {
    size_t end = pos;
    while (end < len && text[end] != '\n') ++end;
    ++line_no;
    const char* b = text + pos;
    const char* e = text + end;
    pos = end + 1;
    for (const char* p = b; p < e; ++p)
      if (*p == '\0') {
        *error = ParseError{Problem::NulByte, line_no, 0, {}};
        return false;
      }
    while (b < e && space(*b)) ++b;
    while (e > b && space(e[-1])) --e;
    if (b == e || *b == '#') continue;
    const char* eq = b;
    while (eq < e && *eq != '=') ++eq;
    Entry entry{};
    auto fail = [&](Problem p) {
      error->problem = p;
      error->line = line_no;
      return false;
    };
    if (eq == e) {
      copy_cut(error->id, b, static_cast<size_t>(e - b));
      return fail(Problem::NoEquals);
    }
    const char* de = eq;
    while (de > b && space(de[-1])) --de;
    const char* gb = eq + 1;
    while (gb < e && space(*gb)) ++gb;
    if (Problem p = take_id(b, de, entry.device, error); p != Problem::None) return fail(p);
    if (Problem p = take_id(gb, e, entry.guest, error); p != Problem::None) return fail(p);
    for (unsigned i = 0; i < out->count; ++i)
      if (same(out->entries[i].device, entry.device)) {
        copy_cut(error->id, entry.device, kMaxId);
        error->first_line = first_line[i];
        return fail(Problem::Duplicate);
      }
    if (out->count == kMaxEntries) return fail(Problem::TooManyEntries);
    first_line[out->count] = line_no;
    out->entries[out->count++] = entry;
  }
  return true;
}

void describe(const ParseError& e, char* buf, size_t len) {
  char where[32];
  if (e.line)
    format(where, sizeof where, "device map line %u", e.line);
  else
    format(where, sizeof where, "device map");
  switch (e.problem) {
    case Problem::None: format(buf, len, "%s: no error", where); return;
    case Problem::NoEquals:
      format(buf, len, "%s: expected DEVICE_ID = GUEST_ID, found \"%s\"", where, e.id);
      return;
    case Problem::EmptyId:
      format(buf, len, "%s: an identifier is missing on one side of '='", where);
      return;
    case Problem::BadCharacter:
      format(buf, len,
             "%s: identifier \"%s\" has a character outside letters, digits and , . _ + -", where,
             e.id);
      return;
    case Problem::TooLong:
      format(buf, len, "%s: identifier \"%s...\" is longer than %u characters", where, e.id,
             unsigned(kMaxId));
      return;
    case Problem::Duplicate:
      format(buf, len, "%s: device \"%s\" is already mapped on line %u", where, e.id, e.first_line);
      return;
    case Problem::TooManyEntries:
      format(buf, len, "%s: more than %u mappings", where, kMaxEntries);
      return;
    case Problem::TooBig:
      format(buf, len, "%s: the file is larger than %u bytes", where, unsigned(kMaxText));
      return;
    case Problem::NulByte:
      format(buf, len, "%s: a NUL byte; the map must be a text file", where);
      return;
  }
  format(buf, len, "%s: invalid", where);
}

}  // namespace nestlab::device_map
