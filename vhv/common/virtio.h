// Virtio constants shared by the lowvisor's transports, the highvisor's
// virtqueue walker and the tests (virtio 1.2, OASIS virtio-v1.2-cs01).
#pragma once

#include <cstdint>

namespace nestlab::virtio {

// 5 "Device Types".
enum class DeviceType : uint32_t { None = 0, Net = 1, Block = 2, Entropy = 4 };

// 2.1 "Device Status Field".
inline constexpr uint32_t kStatusAcknowledge = 1, kStatusDriver = 2, kStatusDriverOk = 4,
                          kStatusFeaturesOk = 8, kStatusNeedsReset = 0x40, kStatusFailed = 0x80;

// 6 "Reserved Feature Bits": the modern interface.
inline constexpr uint64_t kFeatureVersion1 = 1ull << 32;

// 4.2.2 "MMIO Device Register Layout".
inline constexpr uint32_t kMagic = 0x7472'6976;  // "virt" read as little-endian bytes
inline constexpr uint32_t kVersionModern = 2;
// QEMU's vendor ID ("QEMU"), so that a guest sees the same as on QEMU virt.
inline constexpr uint32_t kVendorQemu = 0x554d'4551;
inline constexpr uint64_t kRegMagic = 0x000, kRegVersion = 0x004, kRegDeviceId = 0x008,
                          kRegVendorId = 0x00c, kRegDeviceFeatures = 0x010,
                          kRegDeviceFeaturesSel = 0x014, kRegDriverFeatures = 0x020,
                          kRegDriverFeaturesSel = 0x024, kRegQueueSel = 0x030,
                          kRegQueueNumMax = 0x034, kRegQueueNum = 0x038, kRegQueueReady = 0x044,
                          kRegQueueNotify = 0x050, kRegInterruptStatus = 0x060,
                          kRegInterruptAck = 0x064, kRegStatus = 0x070, kRegQueueDescLow = 0x080,
                          kRegQueueDescHigh = 0x084, kRegQueueDriverLow = 0x090,
                          kRegQueueDriverHigh = 0x094, kRegQueueDeviceLow = 0x0a0,
                          kRegQueueDeviceHigh = 0x0a4, kRegConfigGeneration = 0x0fc,
                          kRegConfig = 0x100;
// InterruptStatus bits (4.2.2): a used buffer, a configuration change.
inline constexpr uint32_t kIntUsedBuffer = 1, kIntConfigChange = 2;

// 2.7 "Split Virtqueues": descriptor flags, avail flags.
inline constexpr uint16_t kDescNext = 1, kDescWrite = 2, kDescIndirect = 4;
inline constexpr uint16_t kAvailNoInterrupt = 1;

// 5.2 "Block Device": feature bits, configuration layout, requests.
inline constexpr uint64_t kBlkFeatureSegMax = 1ull << 2, kBlkFeatureRo = 1ull << 5,
                          kBlkFeatureBlkSize = 1ull << 6, kBlkFeatureFlush = 1ull << 9;
inline constexpr uint64_t kBlkConfigCapacity = 0x00, kBlkConfigSegMax = 0x0c,
                          kBlkConfigBlkSize = 0x14;
inline constexpr uint32_t kBlkSectorSize = 512;
inline constexpr uint32_t kBlkTypeIn = 0, kBlkTypeOut = 1, kBlkTypeFlush = 4, kBlkTypeGetId = 8;
inline constexpr uint8_t kBlkStatusOk = 0, kBlkStatusIoErr = 1, kBlkStatusUnsupp = 2;
inline constexpr uint32_t kBlkIdBytes = 20;

// 5.1 "Network Device": queues, feature bits, configuration layout and the
// header every frame carries (5.1.6; with VERSION_1 it always has
// num_buffers, 12 bytes).
inline constexpr uint16_t kNetQueueRx = 0, kNetQueueTx = 1;
inline constexpr uint64_t kNetFeatureMac = 1ull << 5;
inline constexpr uint64_t kNetConfigMac = 0x00;
inline constexpr uint32_t kNetHeaderBytes = 12;
inline constexpr uint32_t kNetMtu = 1500;
inline constexpr uint32_t kEthHeaderBytes = 14;
// The frames a lab network carries: an Ethernet header and at most the MTU
// (no FCS, no VLAN tag beyond what fits).
inline constexpr uint32_t kNetMinFrame = kEthHeaderBytes, kNetMaxFrame = kEthHeaderBytes + kNetMtu;

// Not a queue: a VirtioNotifyPayload whose queue is this tells the
// highvisor that the transport was reset (status 0, a new run or a guest
// reboot), so that a device which delivers on its own (virtio-net's
// receive queue) forgets the rings it was given. Its generation is the
// new one.
inline constexpr uint16_t kNotifyReset = 0xffff;

}  // namespace nestlab::virtio
