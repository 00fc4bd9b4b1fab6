// FdtWriter: builds a flattened device tree (Devicetree Specification v0.4,
// chapter 5, version 17) into a caller-supplied buffer, without allocation.
//
// Calls are sequential: begin_node/end_node nest, properties belong to the
// innermost open node. Errors are sticky: after the first failure every call
// is a no-op and finish() reports that first error, so building code stays a
// plain list of calls.
#pragma once

#include <cstddef>
#include <cstdint>

#include "base/result.h"

namespace nestlab {

enum class FdtError : uint8_t {
  NoSpace,      // the output buffer is too small
  StringsFull,  // the property-name table is full
  Unbalanced,   // end_node without begin_node, or finish with open nodes
  PropOutsideNode,
  AlreadyFinished,
};

const char* fdt_error_name(FdtError e);

class FdtWriter {
 public:
  static constexpr uint32_t kMagic = 0xd00dfeed;
  static constexpr size_t kMaxStrings = 1024;

  // `buf` must stay valid until finish(); it is 4-byte aligned by contract.
  FdtWriter(void* buf, size_t len);

  void begin_node(const char* name);  // "" for the root
  void end_node();
  void prop_empty(const char* name);
  void prop_u32(const char* name, uint32_t value);
  void prop_u64(const char* name, uint64_t value);
  void prop_cells(const char* name, const uint32_t* cells, size_t count);
  void prop_string(const char* name, const char* value);
  // `values` holds `count` NUL-terminated strings; stored back to back.
  void prop_strings(const char* name, const char* const* values, size_t count);
  void prop_bytes(const char* name, const void* data, size_t len);

  // Writes the header, appends the strings block, returns the total size.
  [[nodiscard]] Result<uint32_t, FdtError> finish();

 private:
  void fail(FdtError e);
  bool reserve(size_t n);
  void put_u32(uint32_t v);
  void put_bytes(const void* data, size_t n);
  void align4();
  int string_offset(const char* name);
  bool begin_prop(const char* name, size_t len);

  uint8_t* m_buf;
  size_t m_len;
  size_t m_pos;           // write position in the structure block
  size_t m_struct_start;  // offset of the structure block in m_buf
  int m_depth = 0;        // open nodes; invariant >= 0
  bool m_failed = false;
  bool m_finished = false;
  FdtError m_error = FdtError::NoSpace;
  char m_strings[kMaxStrings];
  size_t m_strings_len = 0;
};

}  // namespace nestlab
