// LabListModel and LabResultModel over the JSON `nestlab lab` prints
// (console/lab/report_json.cpp for the report). The runner itself feeds
// them in client/lab_client_test.cpp.
#include "gui/models/lab_result_model.h"

#include <QAbstractItemModelTester>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QTest>

#include "gui/models/lab_list_model.h"

using namespace nestlab::gui;

namespace {

QJsonObject object(const char* json) { return QJsonDocument::fromJson(json).object(); }

// A failed grade as report_json() writes it: two steps passed, one failed
// with what was expected next to what was seen, one never reached.
const char* kFailed = R"({
  "lab":"01-boot","title":"Boot contract","dir":"/tmp/s","build":{"ok":true},
  "steps":[
    {"name":"uart@9000000","kind":"mark","status":"passed","points":30,"max_points":30,
     "guest_ms":1.5,"wall_ms":20},
    {"name":"reports the RAM size","kind":"expect","status":"passed","points":10,"max_points":10,
     "guest_ms":2,"wall_ms":3},
    {"name":"prints the nonce","kind":"expect","status":"failed","points":0,"max_points":30,
     "guest_ms":5000,"wall_ms":900,"expected":"nonce: 0123456789abcdef",
     "seen":"nonce: ???\nbye","console_tail":["memory: 64 MiB at 0x40000000","nonce: ???"]},
    {"name":"powers off with exit code 7","kind":"exit","status":"not-reached","points":0,
     "max_points":30,"guest_ms":0,"wall_ms":0,"expected":"exit code 7","seen":"","console_tail":[]}
  ],
  "score":40,"max_score":100,"passed":false,"status":1,"guest_end":"powered off with code 0",
  "wall_s":1.2})";

}  // namespace

class LabModelsTest : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void steps_show_result_points_expected_and_seen() {
    LabResultModel m;
    QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QVERIFY(!m.has_report());
    m.set_report(object(kFailed));
    QCOMPARE(m.rowCount(), 4);
    auto cell = [&](int row, int column) { return m.index(row, column).data().toString(); };
    QCOMPARE(cell(0, LabResultModel::StepColumn), QString("uart@9000000"));
    QCOMPARE(cell(0, LabResultModel::ResultColumn), QString("passed"));
    QCOMPARE(cell(0, LabResultModel::PointsColumn), QString("30/30"));
    QVERIFY(m.index(0, 0).data(LabResultModel::PassedRole).toBool());
    QCOMPARE(cell(2, LabResultModel::ResultColumn), QString("failed"));
    QCOMPARE(cell(2, LabResultModel::PointsColumn), QString("0/30"));
    QCOMPARE(cell(2, LabResultModel::ExpectedColumn), QString("nonce: 0123456789abcdef"));
    QCOMPARE(cell(2, LabResultModel::SeenColumn), QString("nonce: ??? ⏎ bye"));
    QVERIFY(m.index(2, LabResultModel::SeenColumn)
                .data(Qt::ToolTipRole)
                .toString()
                .contains("memory: 64 MiB at 0x40000000"));
    QVERIFY(!m.index(2, 0).data(LabResultModel::PassedRole).toBool());
    QCOMPARE(m.index(3, 0).data(LabResultModel::StatusRole).toString(), QString("not-reached"));
    QCOMPARE(m.passed_steps(), 2);
    QCOMPARE(m.score(), 40);
    QCOMPARE(m.max_score(), 100);
    QVERIFY(!m.passed());
    QCOMPARE(m.summary(),
             QString("01-boot: 40/100, 2 of 4 steps passed; the guest powered off with code 0"));

    m.clear();
    QCOMPARE(m.rowCount(), 0);
    QVERIFY(m.summary().isEmpty());
  }

  void build_failure_scores_zero() {
    LabResultModel m;
    m.set_report(object(R"({"lab":"02-vectors","build":{"ok":false,"output":"main.cpp:3: error"},
                            "steps":[],"score":0,"max_score":100,"passed":false})"));
    QVERIFY(!m.build_ok());
    QCOMPARE(m.summary(), QString("02-vectors: the build failed; score 0/100"));
  }

  void lab_list_counts_steps_and_points() {
    LabListModel m;
    QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy reset(&m, &QAbstractItemModel::modelReset);
    m.set_labs(QJsonDocument::fromJson(R"([
      {"id":"01-boot","title":"Boot contract","summary":"Walk the device tree",
       "steps":[{"name":"a","points":30},{"name":"b","points":70}]},
      {"id":"02-vectors","title":"Vectors","steps":3,"max_points":90},
      {"title":"no id"}
    ])")
                   .array());
    QCOMPARE(reset.size(), 1);
    QCOMPARE(m.rowCount(), 2);
    QCOMPARE(m.index(0, LabListModel::IdColumn).data().toString(), QString("01-boot"));
    QCOMPARE(m.index(0, LabListModel::TitleColumn).data().toString(), QString("Boot contract"));
    QCOMPARE(m.index(0, LabListModel::StepsColumn).data().toInt(), 2);
    QCOMPARE(m.index(0, LabListModel::PointsColumn).data().toInt(), 100);
    QCOMPARE(m.index(1, LabListModel::StepsColumn).data().toInt(), 3);
    QCOMPARE(m.index(1, LabListModel::PointsColumn).data().toInt(), 90);
    QCOMPARE(m.index(0, 0).data(LabListModel::SummaryRole).toString(),
             QString("Walk the device tree"));
    QCOMPARE(m.row_of("02-vectors"), 1);
    QCOMPARE(m.row_of("03-none"), -1);
  }
};

QTEST_GUILESS_MAIN(LabModelsTest)
#include "lab_result_model_test.moc"
