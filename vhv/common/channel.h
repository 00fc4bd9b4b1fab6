// The channel between the lowvisor and its highvisor.
//
// Transport: the VHV machine's own PL011 (QEMU `-serial chardev:...`) carries a
// byte stream in each direction; the highvisor holds the other end. Bulk data
// (guest images, counters, later checkpoints) never goes through it: it lives in
// VHV RAM, which both halves map (layout.h). The stream carries small frames:
//
//   0xA5 0x5A type len_lo len_hi payload[len] sum
//
// `sum` is the low byte of the sum of type, len and payload bytes. Bytes outside
// a frame are raw lowvisor text (early boot or a panic before the channel is
// up) and the highvisor logs them as such.
#pragma once

#include <cstdint>

namespace nestlab::channel {

inline constexpr uint8_t kSync0 = 0xA5;
inline constexpr uint8_t kSync1 = 0x5A;
inline constexpr uint16_t kMaxPayload = 1024;

enum class FrameType : uint8_t {
  // lowvisor -> highvisor
  Ready = 0x01,      // payload: ReadyPayload. The lowvisor booted and waits for kRunVm.
  Console = 0x02,    // payload: vm_id(u8) then guest console bytes
  Log = 0x03,        // payload: lowvisor log text (no NUL)
  VmExit = 0x04,     // payload: VmExitPayload then a message text (no NUL)
  RunFailed = 0x05,  // payload: vm_id(u8) then a message text (no NUL)
  // payload: vm_id(u8). The VM was loaded: its image and initrd were copied
  // into guest RAM, so their staging block may be reused.
  VmStarted = 0x06,
  // payload: VirtioNotifyPayload. The guest wrote QueueNotify of a ready
  // queue of a virtio-mmio transport (the doorbell; vhv/common/virtio_mmio.h).
  VirtioNotify = 0x07,
  // highvisor -> lowvisor
  RunVm = 0x81,       // payload: vm_id(u8). BootParams are in shared RAM.
  ConsoleIn = 0x82,   // payload: vm_id(u8) then bytes for the guest's UART
  StopVm = 0x83,      // payload: vm_id(u8)
  ResumeTime = 0x84,  // payload: ResumeTimePayload (S10: the VM was paused, now runs again)
  // payload: VirtioInterruptPayload. The highvisor has served a doorbell:
  // raise the transport's interrupt (used buffers, or the device needs a reset).
  VirtioInterrupt = 0x85,
};

enum class VmExitReason : uint8_t {
  PowerOff = 1,  // PSCI SYSTEM_OFF; code = guest x1 (low 8 bits)
  Reset = 2,     // PSCI SYSTEM_RESET (reported only when the VM does not reboot)
  Fault = 3,     // stopped by the lowvisor: ec/pc/iss/far say why
  Stopped = 4,   // stopped on request (kStopVm)
};

struct ReadyPayload {
  uint32_t protocol_version;  // kProtocolVersion
  uint32_t cpus;              // physical CPUs the lowvisor runs on
};

struct __attribute__((packed)) VmExitPayload {
  uint8_t vm_id;
  VmExitReason reason;
  uint8_t code;  // exit code for PowerOff
  uint8_t ec;    // ESR_EL2.EC of the exit that stopped the VM (Fault)
  uint32_t iss;  // ESR_EL2.ISS
  uint64_t pc;   // guest PC (ELR_EL2)
  uint64_t far;  // FAR_EL2 / faulting IPA when relevant, else 0
};

// S10: how a VM's time treats a pause (vm.run "tick_policy").
enum class TickPolicy : uint8_t {
  None = 0,         // guest time stands still while paused: nothing is missed
  Skip = 1,         // guest time jumps over the pause; missed ticks collapse into one
  Accelerated = 2,  // guest time catches up at double rate; missed ticks come faster
};

struct __attribute__((packed)) ResumeTimePayload {
  uint8_t vm_id;
  TickPolicy policy;
  uint64_t paused_ns;  // host wall-clock time the VHV was stopped
};

// The doorbell: everything the highvisor needs to walk the queue, so that it
// keeps no per-queue state of its own. `generation` counts the transport's
// resets; the answer echoes it and a stale one is dropped.
struct __attribute__((packed)) VirtioNotifyPayload {
  uint8_t vm_id;
  uint8_t transport;  // 0..31: the transport at 0x0A00_0000 + 0x200 * transport
  uint16_t queue;
  uint32_t generation;
  uint32_t device_type;  // virtio::DeviceType
  uint16_t queue_size;   // QueueNum
  uint16_t reserved;
  uint64_t desc;    // guest physical addresses of the descriptor table,
  uint64_t driver;  // the available ring
  uint64_t device;  // and the used ring
};

enum class VirtioInterruptKind : uint8_t {
  UsedBuffer = 1,  // InterruptStatus bit 0
  NeedsReset = 2,  // the driver broke the queue: DEVICE_NEEDS_RESET, InterruptStatus bit 1
};

struct __attribute__((packed)) VirtioInterruptPayload {
  uint8_t vm_id;
  uint8_t transport;
  VirtioInterruptKind kind;
  uint8_t reserved;
  uint32_t generation;  // from the VirtioNotifyPayload being answered
};

inline constexpr uint32_t kProtocolVersion = 2;  // 2: several VMs (layout::kMaxVms), VmStarted

inline constexpr uint8_t frame_sum(uint8_t type, uint16_t len, const uint8_t* p) {
  uint32_t s = type + (len & 0xff) + (len >> 8);
  for (uint16_t i = 0; i < len; ++i) s += p[i];
  return static_cast<uint8_t>(s);
}

}  // namespace nestlab::channel
