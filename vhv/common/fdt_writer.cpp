#include "vhv/common/fdt_writer.h"

namespace nestlab {
namespace {

// Devicetree Specification 5.4.1: structure block tokens.
constexpr uint32_t kBeginNode = 1;
constexpr uint32_t kEndNode = 2;
constexpr uint32_t kProp = 3;
constexpr uint32_t kEnd = 9;
constexpr size_t kHeaderSize = 40;
constexpr size_t kReserveMapSize = 16;  // just the terminating empty entry

size_t cstr_len(const char* s) {
  size_t n = 0;
  while (s[n]) ++n;
  return n;
}

void store_be32(uint8_t* p, uint32_t v) {
  p[0] = uint8_t(v >> 24);
  p[1] = uint8_t(v >> 16);
  p[2] = uint8_t(v >> 8);
  p[3] = uint8_t(v);
}

}  // namespace

const char* fdt_error_name(FdtError e) {
  switch (e) {
    case FdtError::NoSpace: return "device tree buffer too small";
    case FdtError::StringsFull: return "device tree string table full";
    case FdtError::Unbalanced: return "device tree nodes not balanced";
    case FdtError::PropOutsideNode: return "device tree property outside a node";
    case FdtError::AlreadyFinished: return "device tree already finished";
  }
  return "device tree error";
}

FdtWriter::FdtWriter(void* buf, size_t len)
    : m_buf(static_cast<uint8_t*>(buf)),
      m_len(len),
      m_pos(kHeaderSize + kReserveMapSize),
      m_struct_start(kHeaderSize + kReserveMapSize) {
  if (m_len < m_pos) {
    fail(FdtError::NoSpace);
    return;
  }
  for (size_t i = 0; i < m_pos; ++i) m_buf[i] = 0;
}

void FdtWriter::fail(FdtError e) {
  if (!m_failed) {
    m_failed = true;
    m_error = e;
  }
}

bool FdtWriter::reserve(size_t n) {
  if (m_failed) return false;
  if (m_finished) {
    fail(FdtError::AlreadyFinished);
    return false;
  }
  if (m_len - m_pos < n) {
    fail(FdtError::NoSpace);
    return false;
  }
  return true;
}

void FdtWriter::put_u32(uint32_t v) {
  store_be32(m_buf + m_pos, v);
  m_pos += 4;
}

void FdtWriter::put_bytes(const void* data, size_t n) {
  const auto* p = static_cast<const uint8_t*>(data);
  for (size_t i = 0; i < n; ++i) m_buf[m_pos++] = p[i];
}

void FdtWriter::align4() {
  while (m_pos % 4) m_buf[m_pos++] = 0;
}

int FdtWriter::string_offset(const char* name) {
  size_t n = cstr_len(name);
  // Deduplicate: reuse an existing entry with the same text.
  for (size_t off = 0; off < m_strings_len;) {
    size_t len = cstr_len(m_strings + off);
    if (len == n) {
      bool same = true;
      for (size_t i = 0; i < n && same; ++i) same = m_strings[off + i] == name[i];
      if (same) return static_cast<int>(off);
    }
    off += len + 1;
  }
  if (kMaxStrings - m_strings_len < n + 1) return -1;
  size_t off = m_strings_len;
  for (size_t i = 0; i <= n; ++i) m_strings[off + i] = name[i];
  m_strings_len += n + 1;
  return static_cast<int>(off);
}

void FdtWriter::begin_node(const char* name) {
  size_t n = cstr_len(name);
  if (!reserve(4 + n + 4)) return;
  put_u32(kBeginNode);
  put_bytes(name, n + 1);
  align4();
  ++m_depth;
}

void FdtWriter::end_node() {
  if (m_depth == 0) {
    fail(FdtError::Unbalanced);
    return;
  }
  if (!reserve(4)) return;
  put_u32(kEndNode);
  --m_depth;
}

bool FdtWriter::begin_prop(const char* name, size_t len) {
  if (m_depth == 0) {
    fail(FdtError::PropOutsideNode);
    return false;
  }
  if (!reserve(12 + len + 3)) return false;
  int off = string_offset(name);
  if (off < 0) {
    fail(FdtError::StringsFull);
    return false;
  }
  put_u32(kProp);
  put_u32(static_cast<uint32_t>(len));
  put_u32(static_cast<uint32_t>(off));
  return true;
}

void FdtWriter::prop_empty(const char* name) { begin_prop(name, 0); }

void FdtWriter::prop_u32(const char* name, uint32_t value) {
  if (!begin_prop(name, 4)) return;
  put_u32(value);
}

void FdtWriter::prop_u64(const char* name, uint64_t value) {
  if (!begin_prop(name, 8)) return;
  put_u32(static_cast<uint32_t>(value >> 32));
  put_u32(static_cast<uint32_t>(value));
}

void FdtWriter::prop_cells(const char* name, const uint32_t* cells, size_t count) {
  if (!begin_prop(name, count * 4)) return;
  for (size_t i = 0; i < count; ++i) put_u32(cells[i]);
}

void FdtWriter::prop_string(const char* name, const char* value) {
  size_t n = cstr_len(value) + 1;
  if (!begin_prop(name, n)) return;
  put_bytes(value, n);
  align4();
}

void FdtWriter::prop_strings(const char* name, const char* const* values, size_t count) {
  size_t total = 0;
  for (size_t i = 0; i < count; ++i) total += cstr_len(values[i]) + 1;
  if (!begin_prop(name, total)) return;
  for (size_t i = 0; i < count; ++i) put_bytes(values[i], cstr_len(values[i]) + 1);
  align4();
}

void FdtWriter::prop_bytes(const char* name, const void* data, size_t len) {
  if (!begin_prop(name, len)) return;
  put_bytes(data, len);
  align4();
}

Result<uint32_t, FdtError> FdtWriter::finish() {
  if (!m_failed && m_depth != 0) fail(FdtError::Unbalanced);
  if (!reserve(4 + m_strings_len)) return Err{m_error};
  put_u32(kEnd);
  size_t struct_size = m_pos - m_struct_start;
  size_t strings_start = m_pos;
  put_bytes(m_strings, m_strings_len);
  size_t total = m_pos;
  m_finished = true;

  // Devicetree Specification 5.2: the header, all fields big-endian.
  store_be32(m_buf + 0, kMagic);
  store_be32(m_buf + 4, static_cast<uint32_t>(total));
  store_be32(m_buf + 8, static_cast<uint32_t>(m_struct_start));
  store_be32(m_buf + 12, static_cast<uint32_t>(strings_start));
  store_be32(m_buf + 16, static_cast<uint32_t>(kHeaderSize));
  store_be32(m_buf + 20, 17);  // version
  store_be32(m_buf + 24, 16);  // last compatible version
  store_be32(m_buf + 28, 0);   // boot CPU
  store_be32(m_buf + 32, static_cast<uint32_t>(m_strings_len));
  store_be32(m_buf + 36, static_cast<uint32_t>(struct_size));
  return static_cast<uint32_t>(total);
}

}  // namespace nestlab
