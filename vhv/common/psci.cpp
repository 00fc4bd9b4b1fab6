#include "vhv/common/psci.h"

namespace nestlab::psci {
namespace {

Outcome ret(uint64_t x0) { return Outcome{Action::Return, x0, 0}; }
Outcome ret(Status s) { return ret(status_value(s)); }

bool implemented(uint32_t id) {
  switch (static_cast<Function>(id)) {
    case Function::Version:
    case Function::CpuOff:
    case Function::CpuOn32:
    case Function::CpuOn64:
    case Function::AffinityInfo32:
    case Function::AffinityInfo64:
    case Function::MigrateInfoType:
    case Function::SystemOff:
    case Function::SystemReset:
    case Function::Features: return true;
    default: return false;
  }
}

// MPIDR affinity fields of a target (DEN0022 5.1.4): only Aff0 is used by
// our flat topology; anything in Aff1..Aff3 names a CPU that does not exist.
bool target_exists(uint64_t mpidr, const Platform& p) {
  constexpr uint64_t kAffMask = 0xff'00ff'ffffull;
  uint64_t aff = mpidr & kAffMask;
  return aff < p.vcpus;
}

AffinityState state_of(uint32_t vcpu, const Platform& p) {
  return p.states ? p.states[vcpu] : AffinityState::On;
}

}  // namespace

Outcome handle_call(uint64_t x0, uint64_t x1, uint64_t x2, uint64_t x3, const Platform& platform) {
  (void)x2;
  (void)x3;
  const auto id = static_cast<uint32_t>(x0);  // SMCCC: the function ID is W0
  switch (static_cast<Function>(id)) {
    case Function::Version: return ret(kVersion1_0);
    case Function::Features: {
      // DEN0022 5.1.14: 0 for an implemented function with no flags.
      const auto queried = static_cast<uint32_t>(x1);
      return ret(implemented(queried) ? Status::Success : Status::NotSupported);
    }
    case Function::CpuOn32:
    case Function::CpuOn64: {
      if (!target_exists(x1, platform)) return ret(Status::InvalidParameters);
      const auto target = static_cast<uint32_t>(x1 & 0xff);
      const AffinityState s = state_of(target, platform);
      if (s == AffinityState::On) return ret(Status::AlreadyOn);
      if (s == AffinityState::OnPending) return ret(Status::OnPending);
      return Outcome{Action::CpuOn, status_value(Status::Success), 0, target};
    }
    case Function::CpuOff: return Outcome{Action::CpuOff, 0, 0};
    case Function::AffinityInfo32:
    case Function::AffinityInfo64: {
      const uint64_t level = id == uint32_t(Function::AffinityInfo32) ? uint32_t(x2) : x2;
      if (level != 0 || !target_exists(x1, platform)) return ret(Status::InvalidParameters);
      return ret(static_cast<uint64_t>(state_of(static_cast<uint32_t>(x1 & 0xff), platform)));
    }
    case Function::MigrateInfoType: return ret(kMigrateInfoTypeNoTrustedOs);
    case Function::SystemOff:
      // nestlab extension (docs/protocols.md): x1 carries the exit code.
      return Outcome{Action::SystemOff, 0, static_cast<uint8_t>(x1 & 0xff)};
    case Function::SystemReset: return Outcome{Action::SystemReset, 0, 0};
    default: return ret(Status::NotSupported);
  }
}

const char* function_name(uint32_t id) {
  switch (static_cast<Function>(id)) {
    case Function::Version: return "PSCI_VERSION";
    case Function::CpuSuspend32:
    case Function::CpuSuspend64: return "CPU_SUSPEND";
    case Function::CpuOff: return "CPU_OFF";
    case Function::CpuOn32:
    case Function::CpuOn64: return "CPU_ON";
    case Function::AffinityInfo32:
    case Function::AffinityInfo64: return "AFFINITY_INFO";
    case Function::Migrate32:
    case Function::Migrate64: return "MIGRATE";
    case Function::MigrateInfoType: return "MIGRATE_INFO_TYPE";
    case Function::MigrateInfoUpCpu32:
    case Function::MigrateInfoUpCpu64: return "MIGRATE_INFO_UP_CPU";
    case Function::SystemOff: return "SYSTEM_OFF";
    case Function::SystemReset: return "SYSTEM_RESET";
    case Function::Features: return "PSCI_FEATURES";
  }
  return "UNKNOWN";
}

}  // namespace nestlab::psci
