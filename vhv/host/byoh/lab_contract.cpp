#include "vhv/host/byoh/lab_contract.h"

#include <cstring>

#include "vhv/host/image_stager.h"

namespace nestlab::vhv {

namespace {

std::string contract_hex(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

std::string contract_error_text(const ImageError& e) {
  char text[512];
  describe_image_error(e, text, sizeof text);
  return text;
}

uint64_t contract_align_up(uint64_t v, uint64_t a) { return (v + a - 1) & ~(a - 1); }

}  // namespace

HostResult<HypPlan> plan_lab(const ImageBytes& hyp, std::span<const ImageBytes> guests,
                             uint64_t mem) {
  const GuestMemoryMap map{kHypRamBase, mem};
  HypPlan plan;
  // Only an ELF: QEMU starts a raw image at EL2 too, but where it loads one
  // is not something a lab should depend on.
  auto hyp_plan = plan_elf(hyp.bytes.data(), hyp.bytes.size(), map);
  if (hyp_plan.is_error())
    return make_error(ErrorCode::InvalidArgument,
                      "the hypervisor image " + hyp.name +
                          " cannot run at EL2: " + contract_error_text(hyp_plan.error()));
  plan.hyp = hyp_plan.value();
  if (guests.empty()) return plan;
  if (guests.size() > kHypMaxGuests)
    return make_error(ErrorCode::InvalidArgument, std::to_string(guests.size()) +
                                                      " guests given; a --hypervisor VHV takes at "
                                                      "most " +
                                                      std::to_string(kHypMaxGuests));
  if (plan.hyp.lowest_ipa < kHypRamBase + kHypDtbRoom)
    return make_error(ErrorCode::InvalidArgument,
                      "the hypervisor image " + hyp.name + " loads at " +
                          contract_hex(plan.hyp.lowest_ipa) +
                          ", inside the first MiB of RAM where QEMU puts the device tree that "
                          "describes the guests; link it at or above " +
                          contract_hex(kHypRamBase + kHypDtbRoom) + " (0x40200000 is usual)");
  uint64_t next = std::max(kHypGuestBase, contract_align_up(plan.hyp.highest_ipa, kHypGuestAlign));
  for (size_t i = 0; i < guests.size(); ++i) {
    const ImageBytes& g = guests[i];
    const std::string who = "guest " + std::to_string(i) + " (" + g.name + ")";
    if (g.bytes.size() < 4 || std::memcmp(g.bytes.data(),
                                          "\x7f"
                                          "ELF",
                                          4) != 0) {
      if (looks_like_text(g.bytes.data(), g.bytes.size()))
        return make_error(ErrorCode::InvalidArgument,
                          who +
                              " is not an AArch64 ELF file or a raw image: it starts with "
                              "plain text; give the guest's ELF (or its objcopy -O binary image)");
    }
    auto gp = plan_image(g.bytes.data(), g.bytes.size(), map);
    if (gp.is_error())
      return make_error(ErrorCode::InvalidArgument, who + ": " + contract_error_text(gp.error()));
    const ImagePlan& p = gp.value();
    PlacedGuest placed;
    placed.name = g.name;
    placed.load_address = p.lowest_ipa;
    placed.entry = p.entry;
    const uint64_t span = p.highest_ipa - p.lowest_ipa;
    if (next + span > kHypRamBase + mem || next + span < next)
      return make_error(ErrorCode::InvalidArgument, who + " needs " + std::to_string(span) +
                                                        " bytes at " + contract_hex(next) +
                                                        ", past the end of the VHV's RAM at " +
                                                        contract_hex(kHypRamBase + mem) +
                                                        "; give the VHV more memory with --mem");
    placed.pa = next;
    placed.flat.assign(span, 0);
    for (uint32_t s = 0; s < p.segment_count; ++s) {
      const LoadSegment& seg = p.segments[s];
      std::memcpy(placed.flat.data() + (seg.ipa - p.lowest_ipa), g.bytes.data() + seg.file_offset,
                  seg.file_size);
    }
    next = contract_align_up(next + span, kHypGuestAlign);
    plan.guests.push_back(std::move(placed));
  }
  return plan;
}

}  // namespace nestlab::vhv
