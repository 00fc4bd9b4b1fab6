// A device's saved state as bytes: what a checkpoint file or a migration
// stream carries, so restore treats it as untrusted input. Every snapshot
// is one self-describing record, little-endian:
//
//   offset  size  field
//        0     4  magic     which device wrote it (four ASCII letters)
//        4     2  version   of that device's payload layout
//        6     2  header    bytes in this header (kHeaderBytes)
//        8     4  payload   bytes that follow the header
//       12     4  checksum  FNV-1a (32 bit) over the payload
//       16     …  payload   fields in the order the device writes them
//
// A device's payload has one fixed size per version, so a record of any
// other length is refused before a single field is read; the checksum
// catches damage that leaves the length intact; and every field is still
// checked for its range, because a record can be well formed and hostile.
//
// Freestanding: no allocation; the writer fills a caller's buffer and the
// reader never reads outside the bytes it was given.
#pragma once

#include <cstddef>
#include <cstdint>

#include "base/result.h"

namespace nestlab {

enum class SnapshotError : uint8_t {
  NoSpace,       // save: the buffer is smaller than the snapshot
  Truncated,     // fewer bytes than the header or its payload size say
  BadMagic,      // a snapshot of another device (or not a snapshot)
  WrongVersion,  // a payload layout this build does not read
  BadSize,       // a header or payload size this version never has, or bytes left over
  BadChecksum,   // the payload does not match its checksum
  OutOfRange,    // a field holds a value the device can never be in
  Mismatch,      // well formed, but for a device configured otherwise (vCPU count)
};

// A full sentence for logs and error replies.
const char* describe(SnapshotError e);

inline constexpr size_t kSnapshotHeaderBytes = 16;

// Four ASCII letters as a little-endian magic ("PL11" reads as such in a dump).
constexpr uint32_t snapshot_magic(const char (&s)[5]) {
  return uint32_t(uint8_t(s[0])) | uint32_t(uint8_t(s[1])) << 8 | uint32_t(uint8_t(s[2])) << 16 |
         uint32_t(uint8_t(s[3])) << 24;
}

uint32_t snapshot_checksum(const uint8_t* data, size_t len);

// Writes one record into [out, out + len). Errors are sticky: once the
// buffer is full every put is a no-op and finish() says NoSpace.
class SnapshotWriter {
 public:
  SnapshotWriter(uint8_t* out, size_t len, uint32_t magic, uint16_t version);

  void u8(uint8_t v);
  void u16(uint16_t v);
  void u32(uint32_t v);
  void u64(uint64_t v);
  void boolean(bool v) { u8(v ? 1 : 0); }

  // Fills in the header; the record's total size.
  [[nodiscard]] Result<size_t, SnapshotError> finish();

 private:
  void put(uint64_t v, size_t n);

  uint8_t* m_out;
  size_t m_len;
  size_t m_pos = kSnapshotHeaderBytes;  // invariant: <= m_len unless m_full
  uint32_t m_magic;
  uint16_t m_version;
  bool m_full = false;
};

// Reads one record's payload after open() has checked its header, size
// and checksum. Field readers that check a range record OutOfRange and
// return 0 instead; the first error is sticky and finish() reports it, so
// a device reads all its fields and looks at the outcome once.
class SnapshotReader {
 public:
  // `payload` is the exact payload size of (magic, version).
  [[nodiscard]] static Result<SnapshotReader, SnapshotError> open(const uint8_t* data, size_t len,
                                                                  uint32_t magic, uint16_t version,
                                                                  size_t payload);

  uint8_t u8();
  uint16_t u16();
  uint32_t u32();
  uint64_t u64();
  // A value with no bit outside `mask`.
  uint32_t u32_mask(uint32_t mask);
  uint8_t u8_mask(uint8_t mask);
  // 0 or 1.
  bool boolean();
  // A cross-field check failed.
  void reject(SnapshotError e);

  // The first error, or BadSize when the payload was not read to its end.
  [[nodiscard]] Result<void, SnapshotError> finish() const;

 private:
  SnapshotReader(const uint8_t* payload, size_t len) : m_p(payload), m_len(len) {}
  uint64_t get(size_t n);

  const uint8_t* m_p;  // Not owned: the caller's bytes.
  size_t m_len;
  size_t m_pos = 0;  // invariant: <= m_len
  bool m_failed = false;
  SnapshotError m_error = SnapshotError::Truncated;
};

}  // namespace nestlab
