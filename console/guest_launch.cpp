#include "console/guest_launch.h"

#include "console/client/json_get.h"

namespace nestlab::cli {

using client::json;

HostResult<void> launch_guests(client::Client& client, std::span<const GuestSpec> guests,
                               std::vector<std::string>& created) {
  std::vector<int64_t> ids;
  for (const auto& g : guests) {
    json params = {{"ephemeral", true}, {"smp", g.smp}};
    if (g.name) params["name"] = *g.name;
    if (g.mem) params["mem"] = *g.mem;
    std::vector<int> fds;
    if (g.hypervisor_fd >= 0) {
      params["hypervisor_fd"] = 0;
      params["hypervisor_name"] = g.hypervisor_name;
      fds.push_back(g.hypervisor_fd);
      json list = json::array();
      for (size_t i = 0; i < g.guest_fds.size(); ++i) {
        list.push_back({{"fd", fds.size()}, {"name", g.guest_names[i]}});
        fds.push_back(g.guest_fds[i]);
      }
      if (!list.empty()) params["guests"] = list;
    }
    ids.push_back(TRY(client.send_request("vhv.create", params, fds)));
  }
  // Wait for every reply before failing, so no VHV id goes unrecorded.
  std::optional<Error> first_error;
  for (int64_t id : ids) {
    auto info = client.wait_response(id);
    if (info.is_error()) {
      if (!first_error) first_error = info.release_error();
      if (client.interrupted() == client::Interrupted::Yes || !client.connected()) break;
      continue;
    }
    std::string vhv = client::json_string(info.value(), "id");
    if (vhv.empty())
      return make_error(ErrorCode::Protocol, "nestlabd's vhv.create result has no id");
    created.push_back(vhv);
  }
  if (first_error) {
    first_error->message = "cannot create a virtual hypervisor: " + first_error->message;
    return Err{std::move(*first_error)};
  }

  ids.clear();
  for (const auto& vhv : created) {
    ids.push_back(TRY(client.send_request("console.subscribe", {{"vhv", vhv}, {"vm", 0}})));
    ids.push_back(TRY(client.send_request("events.subscribe", {{"vhv", vhv}})));
  }
  for (int64_t id : ids) TRY(client.wait_response(id));

  ids.clear();
  for (size_t i = 0; i < guests.size(); ++i) {
    const GuestSpec& g = guests[i];
    json params = {{"vhv", created[i]}, {"image_fd", 0}, {"image_name", g.image_name}};
    if (g.mem) params["mem"] = *g.mem;
    if (g.smp != 1) params["smp"] = g.smp;
    if (!g.smp_boot.empty()) params["smp_boot"] = g.smp_boot;
    if (!g.tick_policy.empty()) params["tick_policy"] = g.tick_policy;
    if (!g.append.empty()) params["append"] = g.append;
    if (g.device_map) params["device_map"] = *g.device_map;
    std::vector<int> fds{g.image_fd};
    if (g.initrd_fd >= 0) {
      params["initrd_fd"] = 1;
      params["initrd_name"] = g.initrd_name;
      fds.push_back(g.initrd_fd);
    }
    if (!g.disk_fds.empty()) {
      json disks = g.disks;
      for (auto& d : disks) d["fd"] = d["fd"].get<size_t>() + fds.size();
      params["disks"] = disks;
      fds.insert(fds.end(), g.disk_fds.begin(), g.disk_fds.end());
    }
    if (!g.net.empty()) params["net"] = g.net;
    ids.push_back(TRY(client.send_request("vm.run", params, fds)));
  }
  for (int64_t id : ids) TRY(client.wait_response(id));
  return {};
}

void destroy_vhvs(client::Client& client, std::span<const std::string> vhvs) {
  std::vector<int64_t> ids;
  for (const auto& vhv : vhvs) {
    auto id = client.send_request("vhv.destroy", {{"vhv", vhv}});
    if (id.is_error()) return;
    ids.push_back(id.value());
  }
  for (int64_t id : ids)
    if (client.wait_response(id).is_error() && !client.connected()) return;
}

}  // namespace nestlab::cli
