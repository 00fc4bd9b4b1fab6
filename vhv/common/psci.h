// PSCI 1.0 for guests, decided as pure logic: given the function ID and
// arguments of an SMCCC call, what to return and what the VM should do.
// Arm DEN0022 (PSCI) 5.1 function IDs and 5.2.2 return codes; the calling
// convention is SMCCC (DEN0028): function ID in W0, result in X0.
#pragma once

#include <cstdint>

namespace nestlab::psci {

enum class Function : uint32_t {
  Version = 0x8400'0000,
  CpuSuspend32 = 0x8400'0001,
  CpuSuspend64 = 0xC400'0001,
  CpuOff = 0x8400'0002,
  CpuOn32 = 0x8400'0003,
  CpuOn64 = 0xC400'0003,
  AffinityInfo32 = 0x8400'0004,
  AffinityInfo64 = 0xC400'0004,
  Migrate32 = 0x8400'0005,
  Migrate64 = 0xC400'0005,
  MigrateInfoType = 0x8400'0006,
  MigrateInfoUpCpu32 = 0x8400'0007,
  MigrateInfoUpCpu64 = 0xC400'0007,
  SystemOff = 0x8400'0008,
  SystemReset = 0x8400'0009,
  Features = 0x8400'000A,
};

enum class Status : int32_t {
  Success = 0,
  NotSupported = -1,
  InvalidParameters = -2,
  Denied = -3,
  AlreadyOn = -4,
  OnPending = -5,
  InternalFailure = -6,
  NotPresent = -7,
  Disabled = -8,
  InvalidAddress = -9,
};

inline constexpr uint64_t kVersion1_0 = 0x1'0000;  // major 1 in [31:16], minor 0
inline constexpr uint64_t kMigrateInfoTypeNoTrustedOs = 2;

// DEN0022 5.1.5 AFFINITY_INFO return values.
enum class AffinityState : int32_t { On = 0, Off = 1, OnPending = 2 };

enum class Action : uint8_t {
  Return,       // write x0 = Outcome::x0 and resume after the HVC
  SystemOff,    // end the VM; exit code in Outcome::exit_code
  SystemReset,  // reboot the VM from its image
  CpuOff,       // the calling vCPU turned itself off
  CpuOn,        // start vCPU Outcome::target at x2 with x0 = x3, return SUCCESS
};

struct Outcome {
  Action action;
  uint64_t x0;
  uint8_t exit_code;
  uint32_t target = 0;  // CpuOn: the vCPU to start
};

struct Platform {
  uint32_t vcpus;         // number of vCPUs; MPIDR affinity 0 values 0..vcpus-1 exist
  uint32_t calling_vcpu;  // Aff0 of the caller
  // Power state of each vCPU (AffinityState values); null: all on.
  const AffinityState* states = nullptr;
};

// Decides one call. x0..x3 are the guest registers at the HVC.
Outcome handle_call(uint64_t x0, uint64_t x1, uint64_t x2, uint64_t x3, const Platform& platform);

// Name for logs and traces ("SYSTEM_OFF"), "UNKNOWN" for others.
const char* function_name(uint32_t function_id);

constexpr uint64_t status_value(Status s) { return static_cast<uint64_t>(static_cast<int64_t>(s)); }

}  // namespace nestlab::psci
