#include "gui/client/rpc_codec.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace nestlab::gui;

class RpcCodecTest : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void request_is_one_json_rpc_line() {
    const QByteArray line = make_request_line(7, "vhv.inspect", {{"vhv", "vhv-3"}});
    QVERIFY(line.endsWith('\n'));
    QCOMPARE(line.count('\n'), 1);
    const QJsonObject o = QJsonDocument::fromJson(line).object();
    QCOMPARE(o.value("jsonrpc").toString(), QString("2.0"));
    QCOMPARE(o.value("id").toInteger(), 7);
    QCOMPARE(o.value("method").toString(), QString("vhv.inspect"));
    QCOMPARE(o.value("params").toObject().value("vhv").toString(), QString("vhv-3"));
  }

  void request_without_params_omits_them() {
    const QJsonObject o = QJsonDocument::fromJson(make_request_line(1, "vhv.list", {})).object();
    QVERIFY(!o.contains("params"));
  }

  void result_reply() {
    const Incoming in = parse_incoming(R"({"jsonrpc":"2.0","id":3,"result":[{"id":"vhv-1"}]})");
    const auto* reply = std::get_if<IncomingReply>(&in);
    QVERIFY(reply);
    QCOMPARE(reply->id, 3);
    QVERIFY(reply->reply.ok());
    QCOMPARE(reply->reply.result.toArray().size(), 1);
  }

  void application_error_reply_keeps_kind_and_message() {
    const Incoming in = parse_incoming(
        R"({"jsonrpc":"2.0","id":4,"error":{"code":-32000,"message":"no VHV named x","data":{"code":"not-found"}}})");
    const auto* reply = std::get_if<IncomingReply>(&in);
    QVERIFY(reply && !reply->reply.ok());
    QCOMPARE(reply->reply.error->code, -32000);
    QCOMPARE(reply->reply.error->data_code, QString("not-found"));
    QCOMPARE(describe(*reply->reply.error), QString("no VHV named x (not-found)"));
  }

  void parse_error_reply_has_null_id() {
    const Incoming in =
        parse_incoming(R"({"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"bad"}})");
    const auto* reply = std::get_if<IncomingReply>(&in);
    QVERIFY(reply);
    QCOMPARE(reply->id, -1);
  }

  void notification() {
    const Incoming in = parse_incoming(
        R"({"jsonrpc":"2.0","method":"console","params":{"vhv":"vhv-3","vm":0,"data":"aGk="}})");
    const auto* note = std::get_if<IncomingNotification>(&in);
    QVERIFY(note);
    QCOMPARE(note->method, QString("console"));
    QCOMPARE(note->params.value("data").toString(), QString("aGk="));
  }

  void malformed_lines_are_named() {
    QVERIFY(std::holds_alternative<MalformedLine>(parse_incoming("{oops")));
    QVERIFY(std::holds_alternative<MalformedLine>(parse_incoming("[1,2]")));
    QVERIFY(std::holds_alternative<MalformedLine>(parse_incoming(R"({"id":"x","result":1})")));
    QVERIFY(std::holds_alternative<MalformedLine>(parse_incoming(R"({"id":1})")));
  }
};

QTEST_GUILESS_MAIN(RpcCodecTest)
#include "rpc_codec_test.moc"
