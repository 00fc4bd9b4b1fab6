#include "vhv/common/snapshot.h"

namespace nestlab {
namespace {

void put_le(uint8_t* p, uint64_t v, size_t n) {
  for (size_t i = 0; i < n; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}

uint64_t get_le(const uint8_t* p, size_t n) {
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i) v |= uint64_t(p[i]) << (8 * i);
  return v;
}

}  // namespace

const char* describe(SnapshotError e) {
  switch (e) {
    case SnapshotError::NoSpace: return "the buffer is too small for the device snapshot";
    case SnapshotError::Truncated: return "the device snapshot is truncated";
    case SnapshotError::BadMagic: return "the bytes are not a snapshot of this device";
    case SnapshotError::WrongVersion:
      return "the device snapshot has a version this build cannot read";
    case SnapshotError::BadSize: return "the device snapshot has the wrong size for its version";
    case SnapshotError::BadChecksum: return "the device snapshot is damaged (checksum mismatch)";
    case SnapshotError::OutOfRange:
      return "the device snapshot holds a value the device can never be in";
    case SnapshotError::Mismatch:
      return "the device snapshot is of a device configured differently (vCPU count)";
  }
  return "unknown device snapshot error";
}

uint32_t snapshot_checksum(const uint8_t* data, size_t len) {
  // FNV-1a: every step is a bijection of the state for a given byte, so
  // changing any one byte of the payload always changes the result.
  uint32_t h = 0x811c'9dc5;
  for (size_t i = 0; i < len; ++i) h = (h ^ data[i]) * 0x0100'0193;
  return h;
}

SnapshotWriter::SnapshotWriter(uint8_t* out, size_t len, uint32_t magic, uint16_t version)
    : m_out(out), m_len(len), m_magic(magic), m_version(version) {
  m_full = out == nullptr || len < kSnapshotHeaderBytes;
}

void SnapshotWriter::put(uint64_t v, size_t n) {
  if (m_full || m_len - m_pos < n) {
    m_full = true;
    return;
  }
  put_le(m_out + m_pos, v, n);
  m_pos += n;
}

void SnapshotWriter::u8(uint8_t v) { put(v, 1); }
void SnapshotWriter::u16(uint16_t v) { put(v, 2); }
void SnapshotWriter::u32(uint32_t v) { put(v, 4); }
void SnapshotWriter::u64(uint64_t v) { put(v, 8); }

Result<size_t, SnapshotError> SnapshotWriter::finish() {
  if (m_full) return Err{SnapshotError::NoSpace};
  const size_t payload = m_pos - kSnapshotHeaderBytes;
  put_le(m_out + 0, m_magic, 4);
  put_le(m_out + 4, m_version, 2);
  put_le(m_out + 6, kSnapshotHeaderBytes, 2);
  put_le(m_out + 8, payload, 4);
  put_le(m_out + 12, snapshot_checksum(m_out + kSnapshotHeaderBytes, payload), 4);
  return m_pos;
}

Result<SnapshotReader, SnapshotError> SnapshotReader::open(const uint8_t* data, size_t len,
                                                           uint32_t magic, uint16_t version,
                                                           size_t payload) {
  // Identity first (magic, version), so that a snapshot of another device
  // or of a newer build is named as such rather than as a size problem.
  if (data == nullptr || len < kSnapshotHeaderBytes) return Err{SnapshotError::Truncated};
  if (get_le(data + 0, 4) != magic) return Err{SnapshotError::BadMagic};
  if (get_le(data + 4, 2) != version) return Err{SnapshotError::WrongVersion};
  if (get_le(data + 6, 2) != kSnapshotHeaderBytes || get_le(data + 8, 4) != payload)
    return Err{SnapshotError::BadSize};
  if (len - kSnapshotHeaderBytes < payload) return Err{SnapshotError::Truncated};
  if (len - kSnapshotHeaderBytes > payload) return Err{SnapshotError::BadSize};
  const uint8_t* body = data + kSnapshotHeaderBytes;
  if (get_le(data + 12, 4) != snapshot_checksum(body, payload))
    return Err{SnapshotError::BadChecksum};
  return SnapshotReader(body, payload);
}

uint64_t SnapshotReader::get(size_t n) {
  if (m_len - m_pos < n) {
    reject(SnapshotError::Truncated);
    return 0;
  }
  const uint64_t v = get_le(m_p + m_pos, n);
  m_pos += n;
  return v;
}

uint8_t SnapshotReader::u8() { return static_cast<uint8_t>(get(1)); }
uint16_t SnapshotReader::u16() { return static_cast<uint16_t>(get(2)); }
uint32_t SnapshotReader::u32() { return static_cast<uint32_t>(get(4)); }
uint64_t SnapshotReader::u64() { return get(8); }

uint32_t SnapshotReader::u32_mask(uint32_t mask) {
  const uint32_t v = u32();
  if (v & ~mask) {
    reject(SnapshotError::OutOfRange);
    return 0;
  }
  return v;
}

uint8_t SnapshotReader::u8_mask(uint8_t mask) {
  const uint8_t v = u8();
  if (v & ~mask) {
    reject(SnapshotError::OutOfRange);
    return 0;
  }
  return v;
}

bool SnapshotReader::boolean() { return u8_mask(1) != 0; }

void SnapshotReader::reject(SnapshotError e) {
  if (m_failed) return;
  m_failed = true;
  m_error = e;
}

Result<void, SnapshotError> SnapshotReader::finish() const {
  if (m_failed) return Err{m_error};
  if (m_pos != m_len) return Err{SnapshotError::BadSize};
  return {};
}

}  // namespace nestlab
