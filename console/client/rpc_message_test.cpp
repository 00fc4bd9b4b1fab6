#include "console/client/rpc_message.h"

#include <gtest/gtest.h>

namespace nestlab::client {
namespace {

TEST(RpcMessageTest, RequestIsOneJsonLine) {
  std::string line = make_request_line(7, "vhv.inspect", {{"vhv", "vhv-1"}});
  ASSERT_EQ(line.back(), '\n');
  EXPECT_EQ(line.find('\n'), line.size() - 1);
  auto j = json::parse(line);
  EXPECT_EQ(j["jsonrpc"], "2.0");
  EXPECT_EQ(j["id"], 7);
  EXPECT_EQ(j["method"], "vhv.inspect");
  EXPECT_EQ(j["params"]["vhv"], "vhv-1");
}

TEST(RpcMessageTest, SortsNotificationsFromResponses) {
  auto n = parse_incoming(
      R"({"jsonrpc":"2.0","method":"console","params":{"vhv":"vhv-3","vm":0,"data":"aGk="}})");
  ASSERT_TRUE(n.is_ok());
  auto* note = std::get_if<Notification>(&n.value());
  ASSERT_NE(note, nullptr);
  EXPECT_EQ(note->method, "console");
  EXPECT_EQ(note->params["data"], "aGk=");

  auto r = parse_incoming(R"({"jsonrpc":"2.0","id":4,"result":{"vm":0}})");
  ASSERT_TRUE(r.is_ok());
  auto* resp = std::get_if<Response>(&r.value());
  ASSERT_NE(resp, nullptr);
  EXPECT_EQ(resp->id, 4);
  EXPECT_TRUE(resp->ok);
  EXPECT_EQ(resp->result["vm"], 0);
}

TEST(RpcMessageTest, ApplicationErrorsKeepKernelMessageAndCode) {
  auto r = parse_incoming(
      R"({"jsonrpc":"2.0","id":2,"error":{"code":-32000,"message":"no VHV named 'x'","data":{"code":"not-found"}}})");
  ASSERT_TRUE(r.is_ok());
  const auto& resp = std::get<Response>(r.value());
  EXPECT_FALSE(resp.ok);
  EXPECT_EQ(resp.error.code, ErrorCode::NotFound);
  EXPECT_EQ(resp.error.message, "no VHV named 'x'");
}

TEST(RpcMessageTest, StandardErrorCodes) {
  EXPECT_EQ(error_from_rpc({{"code", -32602}, {"message", "bad"}}).code,
            ErrorCode::InvalidArgument);
  EXPECT_EQ(error_from_rpc({{"code", -32700}, {"message", "bad"}}).code, ErrorCode::Protocol);
  EXPECT_EQ(error_from_rpc({{"code", -32601}, {"message", "x"}}).code, ErrorCode::Unavailable);
  EXPECT_EQ(error_from_rpc(json::object()).message, "nestlabd reported an error without a message");
}

TEST(RpcMessageTest, RefusesNonRpcLines) {
  EXPECT_TRUE(parse_incoming("not json").is_error());
  EXPECT_TRUE(parse_incoming("[1,2]").is_error());
  EXPECT_TRUE(parse_incoming(R"({"id":1,"result":{}})").is_error());      // No jsonrpc.
  EXPECT_TRUE(parse_incoming(R"({"jsonrpc":"2.0","id":1})").is_error());  // Neither.
  auto null_id =
      parse_incoming(R"({"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"x"}})");
  ASSERT_TRUE(null_id.is_ok());
  EXPECT_EQ(std::get<Response>(null_id.value()).id, -1);
}

}  // namespace
}  // namespace nestlab::client
