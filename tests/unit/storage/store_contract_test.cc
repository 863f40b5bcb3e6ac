// The storage contract: every Store backend must pass these. Instantiated by
// sqlite_backend_test.cc (unit) and tests/integration/storage/mariadb_backend_test.cc.

#include <gmock/gmock.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>

#include "tests/unit/workflow/lease_ready.h"
#include "tests/unit/storage/store_fixture.h"

namespace cardline {
namespace {

using ::testing::ElementsAre;

#define ASSERT_OK(expr)                                   \
  do {                                                    \
    const ::cardline::Status assert_ok_status_ = (expr);  \
    ASSERT_TRUE(assert_ok_status_.isOk()) << assert_ok_status_.toString(); \
  } while (0)

// Runs `body` in one transaction and returns its status.
template <typename F>
Status inTx(Store& store, F body) {
  return store.transact([&](StoreTransaction& tx) { return body(tx); });
}

// Releases all waiting threads at once, so they race (no sleeps).
class StartLine {
 public:
  explicit StartLine(int parties) : waiting_(parties) {}
  void arriveAndWait() {
    std::unique_lock<std::mutex> lock(mu_);
    if (--waiting_ == 0) {
      go_.notify_all();
      return;
    }
    go_.wait(lock, [&] { return waiting_ == 0; });
  }

 private:
  std::mutex mu_;
  std::condition_variable go_;
  int waiting_;
};

// Every field of an application but the personal number and the person record.
void expectSameExceptPersonalData(const Application& out, const Application& in) {
  EXPECT_EQ(out.id, in.id);
  EXPECT_EQ(out.approval_ref, in.approval_ref);
  EXPECT_EQ(out.approved_at, in.approved_at);
  EXPECT_EQ(out.card_model, in.card_model);
  EXPECT_EQ(out.request_type, in.request_type);
  EXPECT_EQ(out.priority, in.priority);
  EXPECT_EQ(out.issue_date, in.issue_date);
  EXPECT_EQ(out.receiving_unit.code, in.receiving_unit.code);
  EXPECT_EQ(out.receiving_unit.name, in.receiving_unit.name);
  EXPECT_EQ(out.content_hash, in.content_hash);
  EXPECT_EQ(out.workflow, in.workflow);
  EXPECT_EQ(out.step, in.step);
  EXPECT_EQ(out.state, in.state);
  EXPECT_EQ(out.revision, in.revision);
  EXPECT_EQ(out.received_at, in.received_at);
  EXPECT_EQ(out.print_due, in.print_due);
  EXPECT_EQ(out.dispatch_due, in.dispatch_due);
}

TEST_P(StoreContractTest, ApplicationRoundTripKeepsEveryField) {
  const Application in = makeApplication("APP-1", "079203001234", "Nguyễn Thị Ánh");
  ASSERT_OK(inTx(*store_, [&](StoreTransaction& tx) { return tx.applications().insert(in); }));
  Application out;
  ASSERT_OK(inTx(*store_, [&](StoreTransaction& tx) {
    CARDLINE_ASSIGN_OR_RETURN(out, tx.applications().find("APP-1"));
    return Status::ok();
  }));
  expectSameExceptPersonalData(out, in);
  EXPECT_EQ(out.personal_number, in.personal_number);
  const Person& p = out.person;
  const Person& q = in.person;
  EXPECT_EQ(p.full_name, q.full_name);
  EXPECT_EQ(p.date_of_birth, q.date_of_birth);
  EXPECT_EQ(p.sex, q.sex);
  EXPECT_EQ(p.nationality, q.nationality);
  EXPECT_EQ(p.ethnicity, q.ethnicity);
  EXPECT_EQ(p.religion, q.religion);
  EXPECT_EQ(p.place_of_origin, q.place_of_origin);
  EXPECT_EQ(p.place_of_birth_registration, q.place_of_birth_registration);
  EXPECT_EQ(p.place_of_residence, q.place_of_residence);
  EXPECT_EQ(p.identifying_marks, q.identifying_marks);
  EXPECT_EQ(p.father_name, q.father_name);
  EXPECT_EQ(p.mother_name, q.mother_name);
  EXPECT_EQ(p.old_id_number, q.old_id_number);
  EXPECT_EQ(p.photo.format, q.photo.format);
  EXPECT_EQ(p.photo.data, q.photo.data);
  ASSERT_TRUE(p.fingerprint_left_index.has_value());
  EXPECT_EQ(p.fingerprint_left_index->format, "wsq");
  EXPECT_EQ(p.fingerprint_left_index->data, q.fingerprint_left_index->data);
  ASSERT_TRUE(p.fingerprint_right_index.has_value());
  EXPECT_EQ(p.fingerprint_right_index->data, q.fingerprint_right_index->data);
}

TEST_P(StoreContractTest, FindWithoutPersonalDataLeavesOnlyThePersonalDataOut) {
  const Application in = makeApplication("APP-1", "079203001234", "Nguyễn Thị Ánh");
  ASSERT_OK(inTx(*store_, [&](StoreTransaction& tx) { return tx.applications().insert(in); }));
  Application out;
  ASSERT_OK(inTx(*store_, [&](StoreTransaction& tx) {
    CARDLINE_ASSIGN_OR_RETURN(out, tx.applications().findWithoutPersonalData("APP-1"));
    return Status::ok();
  }));
  EXPECT_TRUE(out.personal_number.empty());
  EXPECT_TRUE(out.person.full_name.empty());
  EXPECT_TRUE(out.person.photo.data.empty());
  expectSameExceptPersonalData(out, in);
  ASSERT_OK(inTx(*store_, [&](StoreTransaction& tx) {
    EXPECT_EQ(tx.applications().findWithoutPersonalData("NOPE").status().code(),
              ErrorCode::kNotFound);
    return Status::ok();
  }));
}

TEST_P(StoreContractTest, ApplicationWithoutOptionalFieldsRoundTrips) {
  Application in = makeApplication("APP-2", "001090000002", "Lê B");
  in.person.fingerprint_left_index.reset();
  in.person.fingerprint_right_index.reset();
  in.person.photo.data.clear();
  ASSERT_OK(inTx(*store_, [&](StoreTransaction& tx) { return tx.applications().insert(in); }));
  ASSERT_OK(inTx(*store_, [&](StoreTransaction& tx) {
    CARDLINE_ASSIGN_OR_RETURN(Application out, tx.applications().find("APP-2"));
    EXPECT_FALSE(out.person.fingerprint_left_index.has_value());
    EXPECT_FALSE(out.person.fingerprint_right_index.has_value());
    EXPECT_TRUE(out.person.photo.data.empty());
    return Status::ok();
  }));
}

TEST_P(StoreContractTest, DuplicateApplicationIdIsAlreadyExists) {
  insertApplication("APP-1");
  const Application again = makeApplication("APP-1", "001090000009", "Other");
  Status status = inTx(*store_, [&](StoreTransaction& tx) {
    return tx.applications().insert(again);
  });
  EXPECT_EQ(status.code(), ErrorCode::kAlreadyExists) << status.toString();
}

TEST_P(StoreContractTest, PastDueListsOpenDeadlinesMostOverdueFirst) {
  const Timestamp now = clock_.now();
  struct Case {
    const char* id;
    std::int64_t print_due_s;     // relative to now; 0 = unset
    std::int64_t dispatch_due_s;  // relative to now; 0 = unset
    ApplicationState state;
  };
  const Case cases[] = {
      {"APP-1", -10, 0, ApplicationState::kQueued},     // not printed, print deadline passed
      {"APP-2", 10, 0, ApplicationState::kQueued},      // not printed, still in time
      {"APP-3", -500, -20, ApplicationState::kHeld},    // printed: only dispatch_due counts
      {"APP-4", -30, 0, ApplicationState::kCompleted},  // ended: never listed
      {"APP-5", -900, 40, ApplicationState::kQueued},   // printed long ago, dispatch in time
      {"APP-6", 0, 0, ApplicationState::kQueued},       // no deadline at all
  };
  std::int64_t n = 0;
  for (const Case& c : cases) {
    insertApplication(c.id, "00109000000" + std::to_string(++n));
    ASSERT_OK(inTx(*store_, [&](StoreTransaction& tx) -> Status {
      CARDLINE_ASSIGN_OR_RETURN(Application a, tx.applications().find(c.id));
      ApplicationPlan plan{"std@1", Priority::kNormal,
                           c.print_due_s ? now.plusSeconds(c.print_due_s) : Timestamp{},
                           c.dispatch_due_s ? now.plusSeconds(c.dispatch_due_s) : Timestamp{}};
      CARDLINE_RETURN_IF_ERROR(tx.applications().updatePlan(c.id, a.revision, plan));
      return tx.applications().updatePosition(c.id, a.revision + 1, "print", c.state);
    }));
  }
  std::vector<std::string> ids;
  ASSERT_OK(inTx(*store_, [&](StoreTransaction& tx) -> Status {
    CARDLINE_ASSIGN_OR_RETURN(ids, tx.applications().pastDue(now, 10));
    return Status::ok();
  }));
  EXPECT_EQ(ids, (std::vector<std::string>{"APP-3", "APP-1"}));
  ASSERT_OK(inTx(*store_, [&](StoreTransaction& tx) -> Status {
    CARDLINE_ASSIGN_OR_RETURN(ids, tx.applications().pastDue(now, 1));
    return Status::ok();
  }));
  EXPECT_EQ(ids, (std::vector<std::string>{"APP-3"}));
}

TEST_P(StoreContractTest, ReprioritiseMovesOnlyReadyJobsOfTheApplication) {
  insertApplication("APP-1", "001090000001");
  insertApplication("APP-2", "001090000002");
  const Timestamp due = clock_.now().plusSeconds(3600);
  std::int64_t leased_id = 0;
  ASSERT_OK(inTx(*store_, [&](StoreTransaction& tx) -> Status {
    CARDLINE_RETURN_IF_ERROR(
        tx.jobs().enqueue(makeJob("APP-2", StationType::kPrint, Priority::kNormal, due)).status());
    CARDLINE_RETURN_IF_ERROR(
        tx.jobs().enqueue(makeJob("APP-1", StationType::kPrint, Priority::kNormal, due)).status());
    CARDLINE_ASSIGN_OR_RETURN(
        leased_id,
        tx.jobs().enqueue(makeJob("APP-1", StationType::kEncode, Priority::kNormal, due)));
    return tx.jobs().leaseJob(leased_id, "E1", "node-1", due);
  }));
  int changed = -1;
  std::vector<StationJob> ready;
  ASSERT_OK(inTx(*store_, [&](StoreTransaction& tx) -> Status {
    CARDLINE_ASSIGN_OR_RETURN(changed, tx.jobs().reprioritise("APP-1", Priority::kUrgent));
    CARDLINE_ASSIGN_OR_RETURN(ready, tx.jobs().lockReady(StationType::kPrint, 10));
    return Status::ok();
  }));
  EXPECT_EQ(changed, 1);  // the leased encode job keeps its priority
  ASSERT_EQ(ready.size(), 2u);
  EXPECT_EQ(ready[0].application_id, "APP-1");
  EXPECT_EQ(ready[0].priority, Priority::kUrgent);
  EXPECT_EQ(ready[1].application_id, "APP-2");
  ASSERT_OK(inTx(*store_, [&](StoreTransaction& tx) -> Status {
    CARDLINE_ASSIGN_OR_RETURN(StationJob leased, tx.jobs().find(leased_id));
    EXPECT_EQ(leased.priority, Priority::kNormal);
    CARDLINE_ASSIGN_OR_RETURN(changed, tx.jobs().reprioritise("APP-1", Priority::kUrgent));
    return Status::ok();
  }));
  EXPECT_EQ(changed, 0);  // already urgent

  // supersedeReady finishes the ready jobs only; the leased one is still out at its device.
  ASSERT_OK(inTx(*store_, [&](StoreTransaction& tx) -> Status {
    CARDLINE_ASSIGN_OR_RETURN(changed, tx.jobs().supersedeReady("APP-1"));
    CARDLINE_ASSIGN_OR_RETURN(ready, tx.jobs().lockReady(StationType::kPrint, 10));
    CARDLINE_ASSIGN_OR_RETURN(StationJob leased, tx.jobs().find(leased_id));
    EXPECT_EQ(leased.state, JobState::kLeased);
    return Status::ok();
  }));
  EXPECT_EQ(changed, 1);
  ASSERT_EQ(ready.size(), 1u);
  EXPECT_EQ(ready[0].application_id, "APP-2");
}

TEST_P(StoreContractTest, MissingApplicationIsNotFound) {
  Status status = inTx(*store_, [&](StoreTransaction& tx) {
    return tx.applications().find("NOPE").status();
  });
  EXPECT_EQ(status.code(), ErrorCode::kNotFound);
}

TEST_P(StoreContractTest, IdsForPersonalNumberOldestFirst) {
  insertApplication("APP-B", "079203001234");
  insertApplication("APP-X", "001090000005");
  insertApplication("APP-A", "079203001234");
  std::vector<std::string> ids;
  std::vector<std::string> none;
  ASSERT_OK(inTx(*store_, [&](StoreTransaction& tx) {
    CARDLINE_ASSIGN_OR_RETURN(ids, tx.applications().idsForPersonalNumber("079203001234"));
    CARDLINE_ASSIGN_OR_RETURN(none, tx.applications().idsForPersonalNumber("079203009999"));
    return Status::ok();
  }));
  EXPECT_THAT(ids, ElementsAre("APP-B", "APP-A"));
  EXPECT_TRUE(none.empty());
}

TEST_P(StoreContractTest, UpdatePositionSucceedsOnceThenConflicts) {
  insertApplication("APP-1");
  ASSERT_OK(inTx(*store_, [&](StoreTransaction& tx) {
    return tx.applications().updatePosition("APP-1", 0, "encode", ApplicationState::kQueued);
  }));
  Status again = inTx(*store_, [&](StoreTransaction& tx) {
    return tx.applications().updatePosition("APP-1", 0, "qa", ApplicationState::kHeld);
  });
  EXPECT_EQ(again.code(), ErrorCode::kConflict) << again.toString();
  Status missing = inTx(*store_, [&](StoreTransaction& tx) {
    return tx.applications().updatePosition("NOPE", 0, "qa", ApplicationState::kHeld);
  });
  EXPECT_EQ(missing.code(), ErrorCode::kNotFound) << missing.toString();
  ASSERT_OK(inTx(*store_, [&](StoreTransaction& tx) {
    CARDLINE_ASSIGN_OR_RETURN(Application a, tx.applications().find("APP-1"));
    EXPECT_EQ(a.step, "encode");
    EXPECT_EQ(a.state, ApplicationState::kQueued);
    EXPECT_EQ(a.revision, 1);
    CARDLINE_RETURN_IF_ERROR(
        tx.applications().updatePosition("APP-1", 1, "qa", ApplicationState::kHeld));
    CARDLINE_ASSIGN_OR_RETURN(std::int64_t held,
                              tx.applications().countInState(ApplicationState::kHeld));
    CARDLINE_ASSIGN_OR_RETURN(std::int64_t queued,
                              tx.applications().countInState(ApplicationState::kQueued));
    EXPECT_EQ(held, 1);
    EXPECT_EQ(queued, 0);
    return Status::ok();
  }));
}

TEST_P(StoreContractTest, UpdatePlanIsConditionalOnRevision) {
  insertApplication("APP-1");
  ApplicationPlan plan;
  plan.workflow = "express@2";
  plan.priority = Priority::kNormal;
  plan.print_due = Timestamp::fromSeconds(1767400000);
  plan.dispatch_due = Timestamp::fromSeconds(1767500000);
  ASSERT_OK(inTx(*store_, [&](StoreTransaction& tx) {
    return tx.applications().updatePlan("APP-1", 0, plan);
  }));
  Status stale = inTx(*store_, [&](StoreTransaction& tx) {
    return tx.applications().updatePlan("APP-1", 0, plan);
  });
  EXPECT_EQ(stale.code(), ErrorCode::kConflict) << stale.toString();
  Status missing = inTx(*store_, [&](StoreTransaction& tx) {
    return tx.applications().updatePlan("NOPE", 0, plan);
  });
  EXPECT_EQ(missing.code(), ErrorCode::kNotFound) << missing.toString();
  ASSERT_OK(inTx(*store_, [&](StoreTransaction& tx) {
    CARDLINE_ASSIGN_OR_RETURN(Application a, tx.applications().find("APP-1"));
    EXPECT_EQ(a.workflow, "express@2");
    EXPECT_EQ(a.priority, Priority::kNormal);
    EXPECT_EQ(a.print_due, plan.print_due);
    EXPECT_EQ(a.dispatch_due, plan.dispatch_due);
    EXPECT_EQ(a.revision, 1);
    EXPECT_EQ(a.step, "print");
    return Status::ok();
  }));
}

TEST_P(StoreContractTest, CountReadyHeldCountsTheReadyJobsOfHeldApplications) {
  insertApplication("APP-1");
  insertApplication("APP-2", "001090000002");
  ASSERT_OK(inTx(*store_, [&](StoreTransaction& tx) {
    auto& jobs = tx.jobs();
    CARDLINE_RETURN_IF_ERROR(
        jobs.enqueue(makeJob("APP-1", StationType::kPrint, Priority::kNormal, {})).status());
    CARDLINE_RETURN_IF_ERROR(
        jobs.enqueue(makeJob("APP-2", StationType::kPrint, Priority::kNormal, {})).status());
    return tx.applications().updatePosition("APP-2", 0, "print", ApplicationState::kHeld);
  }));
  ASSERT_OK(inTx(*store_, [&](StoreTransaction& tx) {
    CARDLINE_ASSIGN_OR_RETURN(std::int64_t ready,
                              tx.jobs().count(StationType::kPrint, JobState::kReady));
    CARDLINE_ASSIGN_OR_RETURN(std::int64_t held, tx.jobs().countReadyHeld(StationType::kPrint));
    CARDLINE_ASSIGN_OR_RETURN(std::int64_t qa_held, tx.jobs().countReadyHeld(StationType::kQa));
    EXPECT_EQ(ready, 2);  // the held application's job is still ready ...
    EXPECT_EQ(held, 1);   // ... and counted apart
    EXPECT_EQ(qa_held, 0);
    return Status::ok();
  }));
}

TEST_P(StoreContractTest, LeaseHandsOutUrgentFirstThenEarliestDue) {
  insertApplication("APP-1");
  const Timestamp t = clock_.now();
  std::int64_t normal_early = 0, urgent_late = 0, urgent_early = 0, other_station = 0;
  ASSERT_OK(inTx(*store_, [&](StoreTransaction& tx) {
    auto& jobs = tx.jobs();
    CARDLINE_ASSIGN_OR_RETURN(normal_early, jobs.enqueue(makeJob("APP-1", StationType::kPrint,
                                                                  Priority::kNormal,
                                                                  t.plusSeconds(10))));
    CARDLINE_ASSIGN_OR_RETURN(urgent_late, jobs.enqueue(makeJob("APP-1", StationType::kPrint,
                                                                 Priority::kUrgent,
                                                                 t.plusSeconds(300))));
    CARDLINE_ASSIGN_OR_RETURN(urgent_early, jobs.enqueue(makeJob("APP-1", StationType::kPrint,
                                                                  Priority::kUrgent,
                                                                  t.plusSeconds(100))));
    CARDLINE_ASSIGN_OR_RETURN(other_station, jobs.enqueue(makeJob("APP-1", StationType::kQa,
                                                                   Priority::kUrgent,
                                                                   t.plusSeconds(1))));
    return Status::ok();
  }));
  EXPECT_LT(normal_early, urgent_late);
  std::vector<StationJob> first, second, rest;
  ASSERT_OK(inTx(*store_, [&](StoreTransaction& tx) {
    const Timestamp expires = t.plusSeconds(60);
    CARDLINE_ASSIGN_OR_RETURN(first, leaseReady(tx.jobs(), StationType::kPrint, "P1", "node-a",
                                                     expires, 2));
    CARDLINE_ASSIGN_OR_RETURN(second, leaseReady(tx.jobs(), StationType::kPrint, "P2", "node-a",
                                                      expires, 5));
    CARDLINE_ASSIGN_OR_RETURN(rest, leaseReady(tx.jobs(), StationType::kPrint, "P3", "node-a",
                                                    expires, 5));
    return Status::ok();
  }));
  ASSERT_EQ(first.size(), 2u);
  EXPECT_EQ(first[0].id, urgent_early);
  EXPECT_EQ(first[1].id, urgent_late);
  EXPECT_EQ(first[0].state, JobState::kLeased);
  EXPECT_EQ(first[0].device_id, "P1");
  EXPECT_EQ(first[0].node_id, "node-a");
  EXPECT_EQ(first[0].lease_expires, t.plusSeconds(60));
  EXPECT_EQ(first[0].attempt, 1);
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].id, normal_early);
  EXPECT_TRUE(rest.empty());
  ASSERT_OK(inTx(*store_, [&](StoreTransaction& tx) {
    CARDLINE_ASSIGN_OR_RETURN(StationJob stored, tx.jobs().find(urgent_early));
    EXPECT_EQ(stored.state, JobState::kLeased);
    EXPECT_EQ(stored.device_id, "P1");
    EXPECT_EQ(stored.application_id, "APP-1");
    EXPECT_EQ(stored.priority, Priority::kUrgent);
    EXPECT_EQ(stored.due, t.plusSeconds(100));
    EXPECT_EQ(stored.receiving_unit, "HN-BD");
    EXPECT_EQ(stored.province, "HN");
    CARDLINE_ASSIGN_OR_RETURN(std::int64_t leased,
                              tx.jobs().count(StationType::kPrint, JobState::kLeased));
    CARDLINE_ASSIGN_OR_RETURN(std::int64_t qa_ready,
                              tx.jobs().count(StationType::kQa, JobState::kReady));
    EXPECT_EQ(leased, 3);
    EXPECT_EQ(qa_ready, 1);
    return Status::ok();
  }));
  (void)other_station;
}

TEST_P(StoreContractTest, CompleteIsIdempotentByAttempt) {
  insertApplication("APP-1");
  std::int64_t id = 0;
  ASSERT_OK(inTx(*store_, [&](StoreTransaction& tx) {
    CARDLINE_ASSIGN_OR_RETURN(id, tx.jobs().enqueue(makeJob("APP-1", StationType::kEncode,
                                                             Priority::kNormal, clock_.now())));
    return leaseReady(tx.jobs(), StationType::kEncode, "E1", "n", clock_.now().plusSeconds(30), 1)
        .status();
  }));
  Status wrong_attempt = inTx(*store_, [&](StoreTransaction& tx) {
    return tx.jobs().complete(id, 2, "ok");
  });
  EXPECT_EQ(wrong_attempt.code(), ErrorCode::kConflict);
  ASSERT_OK(inTx(*store_, [&](StoreTransaction& tx) { return tx.jobs().complete(id, 1, "ok"); }));
  Status twice = inTx(*store_, [&](StoreTransaction& tx) {
    return tx.jobs().complete(id, 1, "ok");
  });
  EXPECT_EQ(twice.code(), ErrorCode::kConflict) << twice.toString();
  Status missing = inTx(*store_, [&](StoreTransaction& tx) {
    return tx.jobs().complete(id + 1000, 1, "ok");
  });
  EXPECT_EQ(missing.code(), ErrorCode::kNotFound);
  ASSERT_OK(inTx(*store_, [&](StoreTransaction& tx) {
    CARDLINE_ASSIGN_OR_RETURN(StationJob job, tx.jobs().find(id));
    EXPECT_EQ(job.state, JobState::kDone);
    EXPECT_EQ(job.outcome, "ok");
    return Status::ok();
  }));
}

TEST_P(StoreContractTest, RequeueExpiredReturnsLostLeasesWithNextAttempt) {
  insertApplication("APP-1");
  const Timestamp t = clock_.now();
  std::int64_t id = 0;
  ASSERT_OK(inTx(*store_, [&](StoreTransaction& tx) {
    CARDLINE_ASSIGN_OR_RETURN(
        id, tx.jobs().enqueue(makeJob("APP-1", StationType::kPrint, Priority::kNormal, t)));
    return leaseReady(tx.jobs(), StationType::kPrint, "P1", "n", t.plusSeconds(10), 1).status();
  }));
  std::vector<ExpiredLease> early, late;
  ASSERT_OK(inTx(*store_, [&](StoreTransaction& tx) {
    CARDLINE_ASSIGN_OR_RETURN(early, tx.jobs().requeueExpired(t.plusSeconds(5)));
    CARDLINE_ASSIGN_OR_RETURN(late, tx.jobs().requeueExpired(t.plusSeconds(11)));
    return Status::ok();
  }));
  EXPECT_TRUE(early.empty());
  ASSERT_EQ(late.size(), 1u);
  EXPECT_EQ(late[0].job_id, id);
  EXPECT_EQ(late[0].device_id, "P1");
  EXPECT_EQ(late[0].node_id, "n");
  Status stale = inTx(*store_, [&](StoreTransaction& tx) {
    return tx.jobs().complete(id, 1, "ok");
  });
  EXPECT_EQ(stale.code(), ErrorCode::kConflict);
  std::vector<StationJob> again;
  ASSERT_OK(inTx(*store_, [&](StoreTransaction& tx) {
    CARDLINE_ASSIGN_OR_RETURN(again, leaseReady(tx.jobs(), StationType::kPrint, "P2", "n",
                                                     t.plusSeconds(60), 1));
    return Status::ok();
  }));
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].id, id);
  EXPECT_EQ(again[0].attempt, 2);
  EXPECT_EQ(again[0].device_id, "P2");
  ASSERT_OK(inTx(*store_, [&](StoreTransaction& tx) { return tx.jobs().complete(id, 2, "ok"); }));
}

TEST_P(StoreContractTest, LockReadyThenLeaseChosenJobs) {
  insertApplication("APP-1");
  const Timestamp t = clock_.now();
  std::int64_t normal = 0, urgent = 0, other_station = 0;
  ASSERT_OK(inTx(*store_, [&](StoreTransaction& tx) {
    CARDLINE_ASSIGN_OR_RETURN(
        normal, tx.jobs().enqueue(makeJob("APP-1", StationType::kPrint, Priority::kNormal, t)));
    CARDLINE_ASSIGN_OR_RETURN(
        urgent, tx.jobs().enqueue(makeJob("APP-1", StationType::kPrint, Priority::kUrgent,
                                          t.plusSeconds(100))));
    CARDLINE_ASSIGN_OR_RETURN(
        other_station,
        tx.jobs().enqueue(makeJob("APP-1", StationType::kQa, Priority::kUrgent, t)));
    return Status::ok();
  }));
  std::vector<StationJob> window;
  ASSERT_OK(inTx(*store_, [&](StoreTransaction& tx) {
    CARDLINE_ASSIGN_OR_RETURN(window, tx.jobs().lockReady(StationType::kPrint, 10));
    return tx.jobs().leaseJob(normal, "P1", "node-a", t.plusSeconds(30));
  }));
  ASSERT_EQ(window.size(), 2u);
  EXPECT_EQ(window[0].id, urgent);
  EXPECT_EQ(window[1].id, normal);
  // A leased job is no longer ready: leasing it again conflicts, and it leaves the window.
  Status again = inTx(*store_, [&](StoreTransaction& tx) {
    return tx.jobs().leaseJob(normal, "P2", "node-b", t.plusSeconds(30));
  });
  EXPECT_EQ(again.code(), ErrorCode::kConflict);
  ASSERT_OK(inTx(*store_, [&](StoreTransaction& tx) {
    CARDLINE_ASSIGN_OR_RETURN(window, tx.jobs().lockReady(StationType::kPrint, 10));
    return Status::ok();
  }));
  ASSERT_EQ(window.size(), 1u);
  EXPECT_EQ(window[0].id, urgent);
  Status missing = inTx(*store_, [&](StoreTransaction& tx) {
    return tx.jobs().leaseJob(999999, "P1", "node-a", t);
  });
  EXPECT_EQ(missing.code(), ErrorCode::kNotFound);
}

TEST_P(StoreContractTest, ReleaseLeaseOnlyByTheHoldingNode) {
  insertApplication("APP-1");
  const Timestamp t = clock_.now();
  std::int64_t id = 0;
  ASSERT_OK(inTx(*store_, [&](StoreTransaction& tx) {
    CARDLINE_ASSIGN_OR_RETURN(
        id, tx.jobs().enqueue(makeJob("APP-1", StationType::kEncode, Priority::kNormal, t)));
    return tx.jobs().leaseJob(id, "E1", "node-a", t.plusSeconds(30));
  }));
  Status wrong_node = inTx(*store_, [&](StoreTransaction& tx) {
    return tx.jobs().releaseLease(id, "node-b", LeaseEnd::kDeviceLost);
  });
  EXPECT_EQ(wrong_node.code(), ErrorCode::kConflict);
  ASSERT_OK(inTx(*store_, [&](StoreTransaction& tx) {
    return tx.jobs().releaseLease(id, "node-a", LeaseEnd::kDeviceLost);
  }));
  StationJob job;
  ASSERT_OK(inTx(*store_, [&](StoreTransaction& tx) {
    CARDLINE_ASSIGN_OR_RETURN(job, tx.jobs().find(id));
    return Status::ok();
  }));
  EXPECT_EQ(job.state, JobState::kReady);
  EXPECT_EQ(job.attempt, 2);
  EXPECT_EQ(job.device_id, "");
  // The old attempt's result is now stale.
  Status stale = inTx(*store_, [&](StoreTransaction& tx) { return tx.jobs().complete(id, 1, "ok"); });
  EXPECT_EQ(stale.code(), ErrorCode::kConflict);
  Status twice = inTx(*store_, [&](StoreTransaction& tx) {
    return tx.jobs().releaseLease(id, "node-a", LeaseEnd::kDeviceLost);
  });
  EXPECT_EQ(twice.code(), ErrorCode::kConflict);
}

TEST_P(StoreContractTest, LeaseJobsLeasesAllInOneStatementOrNone) {
  insertApplication("APP-1");
  const Timestamp t = clock_.now();
  std::vector<std::int64_t> ids;
  ASSERT_OK(inTx(*store_, [&](StoreTransaction& tx) {
    for (int i = 0; i < 6; ++i) {
      CARDLINE_ASSIGN_OR_RETURN(
          std::int64_t id,
          tx.jobs().enqueue(makeJob("APP-1", StationType::kQa, Priority::kNormal, t)));
      ids.push_back(id);
    }
    return Status::ok();
  }));
  const StoreCounters before = store_->counters();
  ASSERT_OK(inTx(*store_, [&](StoreTransaction& tx) {
    CARDLINE_ASSIGN_OR_RETURN(auto window, tx.jobs().lockReady(StationType::kQa, 10));
    EXPECT_EQ(window.size(), 6u);
    return tx.jobs().leaseJobs({{ids[0], "Q1"}, {ids[1], "Q2"}, {ids[2], "Q1"}, {ids[3], "Q2"},
                                {ids[4], "Q1"}},
                               "node-a", t.plusSeconds(30));
  }));
  // BEGIN, lockReady, one UPDATE for 4 rows and one for 1 (chunks 4 + 1), COMMIT.
  EXPECT_EQ(store_->counters().statements - before.statements, 5);
  ASSERT_OK(inTx(*store_, [&](StoreTransaction& tx) {
    for (int i = 0; i < 6; ++i) {
      CARDLINE_ASSIGN_OR_RETURN(StationJob job, tx.jobs().find(ids[i]));
      if (i == 5) {
        EXPECT_EQ(job.state, JobState::kReady);
        continue;
      }
      EXPECT_EQ(job.state, JobState::kLeased);
      EXPECT_EQ(job.device_id, i % 2 == 0 ? "Q1" : "Q2");
      EXPECT_EQ(job.node_id, "node-a");
      EXPECT_EQ(job.lease_expires, t.plusSeconds(30));
    }
    return Status::ok();
  }));
  // One job no longer ready: nothing of the batch is leased (the transaction rolls back).
  Status taken = inTx(*store_, [&](StoreTransaction& tx) {
    return tx.jobs().leaseJobs({{ids[5], "Q1"}, {ids[0], "Q2"}}, "node-b", t.plusSeconds(30));
  });
  EXPECT_EQ(taken.code(), ErrorCode::kConflict) << taken.toString();
  ASSERT_OK(inTx(*store_, [&](StoreTransaction& tx) {
    CARDLINE_ASSIGN_OR_RETURN(StationJob job, tx.jobs().find(ids[5]));
    EXPECT_EQ(job.state, JobState::kReady);
    return Status::ok();
  }));
}

TEST_P(StoreContractTest, ALeaseThatNeverReachedADeviceIsNotAnAttempt) {
  insertApplication("APP-1");
  const Timestamp t = clock_.now();
  std::int64_t id = 0;
  ASSERT_OK(inTx(*store_, [&](StoreTransaction& tx) {
    CARDLINE_ASSIGN_OR_RETURN(
        id, tx.jobs().enqueue(makeJob("APP-1", StationType::kEncode, Priority::kNormal, t)));
    CARDLINE_RETURN_IF_ERROR(tx.jobs().leaseJob(id, "E1", "node-a", t.plusSeconds(30)));
    return tx.jobs().releaseLease(id, "node-a", LeaseEnd::kNeverSent);
  }));
  StationJob job;
  ASSERT_OK(inTx(*store_, [&](StoreTransaction& tx) {
    CARDLINE_ASSIGN_OR_RETURN(job, tx.jobs().find(id));
    return Status::ok();
  }));
  EXPECT_EQ(job.state, JobState::kReady);
  EXPECT_EQ(job.attempt, 1);
  EXPECT_EQ(job.device_id, "");
  EXPECT_EQ(job.node_id, "");
}

TEST_P(StoreContractTest, TouchBumpsTheRevisionOnlyIfUnchanged) {
  insertApplication("APP-1");
  Application before;
  ASSERT_OK(inTx(*store_, [&](StoreTransaction& tx) {
    CARDLINE_ASSIGN_OR_RETURN(before, tx.applications().findWithoutPersonalData("APP-1"));
    return tx.applications().touch("APP-1", before.revision);
  }));
  Status stale = inTx(*store_, [&](StoreTransaction& tx) {
    return tx.applications().touch("APP-1", before.revision);
  });
  EXPECT_EQ(stale.code(), ErrorCode::kConflict) << stale.toString();
  Status missing = inTx(*store_, [&](StoreTransaction& tx) {
    return tx.applications().touch("NO-SUCH-APP", 0);
  });
  EXPECT_EQ(missing.code(), ErrorCode::kNotFound) << missing.toString();
  ASSERT_OK(inTx(*store_, [&](StoreTransaction& tx) {
    CARDLINE_ASSIGN_OR_RETURN(Application after,
                              tx.applications().findWithoutPersonalData("APP-1"));
    EXPECT_EQ(after.revision, before.revision + 1);
    EXPECT_EQ(after.step, before.step);
    return Status::ok();
  }));
}

TEST_P(StoreContractTest, ReadTransactionsSeeCommittedStateAndCount) {
  insertApplication("APP-1");
  const StoreCounters before = store_->counters();
  Application seen;
  ASSERT_OK(store_->read([&](StoreTransaction& tx) {
    CARDLINE_ASSIGN_OR_RETURN(seen, tx.applications().findWithoutPersonalData("APP-1"));
    return Status::ok();
  }));
  EXPECT_EQ(seen.id, "APP-1");
  const StoreCounters after = store_->counters();
  EXPECT_EQ(after.reads, before.reads + 1);
  EXPECT_EQ(after.transactions, before.transactions);
  // BEGIN, the SELECT and COMMIT.
  EXPECT_EQ(after.read_statements - before.read_statements, 3);
  ASSERT_OK(inTx(*store_, [&](StoreTransaction& tx) {
    return tx.applications().touch("APP-1", seen.revision);
  }));
  const StoreCounters written = store_->counters();
  EXPECT_EQ(written.transactions, after.transactions + 1);
  EXPECT_EQ(written.commits, after.commits + 1);
  EXPECT_GE(written.statements - after.statements, 3);
  if (store_->backend() == StoreBackend::kMysql) {
    EXPECT_GE(written.round_trips - after.round_trips, 3);
  } else {
    EXPECT_EQ(written.round_trips, after.round_trips);
  }
}

TEST_P(StoreContractTest, StagedEventsAndRollupsAreWrittenAtCommitInFewStatements) {
  const StoreCounters before = store_->counters();
  ASSERT_OK(inTx(*store_, [&](StoreTransaction& tx) {
    for (int i = 0; i < 70; ++i) {
      Event e;
      e.at = clock_.now();
      e.subject_type = "card";
      e.subject_id = "S-" + std::to_string(i);
      e.kind = "printed";
      e.actor = "system";
      e.detail = "{}";
      CARDLINE_RETURN_IF_ERROR(tx.events().append(e));
      StationHour h;
      h.hour = 3600 * 100;
      h.station = StationType::kPrint;
      h.device_id = i % 2 == 0 ? "P1" : "P2";
      h.jobs = 1;
      h.ok = 1;
      CARDLINE_RETURN_IF_ERROR(tx.rollups().addStationHour(h));
    }
    return Status::ok();
  }));
  const StoreCounters after = store_->counters();
  // BEGIN, 70 events in statements of 64 + 4 + 1 + 1 rows, the two summed rollup rows in
  // statements of 1 + 1, COMMIT: 8, where one statement per call would have been 142.
  EXPECT_EQ(after.statements - before.statements, 8);
  ASSERT_OK(inTx(*store_, [&](StoreTransaction& tx) {
    CARDLINE_ASSIGN_OR_RETURN(auto page, tx.events().after(0, 1000));
    EXPECT_EQ(page.size(), 70u);
    if (page.size() == 70u) {
      for (std::size_t i = 1; i < page.size(); ++i) EXPECT_LT(page[i - 1].seq, page[i].seq);
      EXPECT_EQ(page.front().subject_id, "S-0");
      EXPECT_EQ(page.back().subject_id, "S-69");
    }
    CARDLINE_ASSIGN_OR_RETURN(auto hours, tx.rollups().stationHours(3600 * 100, 3600 * 101));
    EXPECT_EQ(hours.size(), 2u);
    for (const StationHour& h : hours) EXPECT_EQ(h.jobs, 35);
    return Status::ok();
  }));
}

TEST_P(StoreContractTest, CardsOnePerSerialWithConditionalStateChanges) {
  insertApplication("APP-1");
  Card card;
  card.serial = "BL-000001";
  card.application_id = "APP-1";
  card.state = CardState::kPersonalised;
  card.signer_id = "DS-1";
  card.created_at = clock_.now();
  card.updated_at = clock_.now();
  ASSERT_OK(inTx(*store_, [&](StoreTransaction& tx) { return tx.cards().insert(card); }));
  Status twice = inTx(*store_, [&](StoreTransaction& tx) { return tx.cards().insert(card); });
  EXPECT_EQ(twice.code(), ErrorCode::kAlreadyExists) << twice.toString();
  Card orphan = card;
  orphan.serial = "BL-000002";
  orphan.application_id = "NO-SUCH-APP";
  Status dangling = inTx(*store_, [&](StoreTransaction& tx) { return tx.cards().insert(orphan); });
  EXPECT_EQ(dangling.code(), ErrorCode::kFailedPrecondition) << dangling.toString();

  Card spoiled = card;
  spoiled.state = CardState::kSpoiled;
  spoiled.spoil_reason = "PRINT_SMUDGE";
  spoiled.spoil_station = "qa";
  spoiled.updated_at = clock_.now().plusSeconds(5);
  ASSERT_OK(inTx(*store_, [&](StoreTransaction& tx) {
    return tx.cards().updateState(card.serial, CardState::kPersonalised, spoiled);
  }));
  Status stale = inTx(*store_, [&](StoreTransaction& tx) {
    return tx.cards().updateState(card.serial, CardState::kPersonalised, spoiled);
  });
  EXPECT_EQ(stale.code(), ErrorCode::kConflict);
  Status missing = inTx(*store_, [&](StoreTransaction& tx) {
    return tx.cards().updateState("BL-NONE", CardState::kPersonalised, spoiled);
  });
  EXPECT_EQ(missing.code(), ErrorCode::kNotFound);
  ASSERT_OK(inTx(*store_, [&](StoreTransaction& tx) {
    CARDLINE_ASSIGN_OR_RETURN(Card stored, tx.cards().find(card.serial));
    EXPECT_EQ(stored.state, CardState::kSpoiled);
    EXPECT_EQ(stored.spoil_reason, "PRINT_SMUDGE");
    EXPECT_EQ(stored.spoil_station, "qa");
    EXPECT_EQ(stored.signer_id, "DS-1");
    EXPECT_EQ(stored.updated_at, spoiled.updated_at);
    CARDLINE_ASSIGN_OR_RETURN(auto cards, tx.cards().forApplication("APP-1"));
    EXPECT_EQ(cards.size(), 1u);
    EXPECT_EQ(tx.cards().find("BL-NONE").status().code(), ErrorCode::kNotFound);
    return Status::ok();
  }));
}

TEST_P(StoreContractTest, EventsAppendInOrder) {
  ASSERT_OK(inTx(*store_, [&](StoreTransaction& tx) {
    for (int i = 0; i < 5; ++i) {
      Event e;
      e.at = clock_.now().plusSeconds(i);
      e.subject_type = i % 2 == 0 ? "application" : "card";
      e.subject_id = "S-1";
      e.kind = "k" + std::to_string(i);
      e.actor = "system";
      e.detail = "{\"i\":" + std::to_string(i) + "}";
      CARDLINE_RETURN_IF_ERROR(tx.events().append(e));
    }
    // Appends are visible to reads in the same transaction.
    CARDLINE_ASSIGN_OR_RETURN(auto own, tx.events().forSubject("card", "S-1"));
    EXPECT_EQ(own.size(), 2u);
    return Status::ok();
  }));
  std::vector<std::int64_t> seqs;
  ASSERT_OK(inTx(*store_, [&](StoreTransaction& tx) {
    CARDLINE_ASSIGN_OR_RETURN(auto all, tx.events().after(0, 100));
    for (const Event& e : all) seqs.push_back(e.seq);
    EXPECT_EQ(all.size(), 5u);
    for (std::size_t i = 0; i < all.size(); ++i) EXPECT_EQ(all[i].kind, "k" + std::to_string(i));
    return Status::ok();
  }));
  ASSERT_EQ(seqs.size(), 5u);
  for (std::size_t i = 1; i < seqs.size(); ++i) EXPECT_LT(seqs[i - 1], seqs[i]);
  ASSERT_OK(inTx(*store_, [&](StoreTransaction& tx) {
    CARDLINE_ASSIGN_OR_RETURN(auto history, tx.events().forSubject("application", "S-1"));
    EXPECT_EQ(history.size(), 3u);
    if (history.size() == 3) {
      EXPECT_EQ(history[0].kind, "k0");
      EXPECT_EQ(history[1].kind, "k2");
      EXPECT_EQ(history[2].kind, "k4");
      EXPECT_EQ(history[2].detail, "{\"i\":4}");
      EXPECT_EQ(history[2].at, clock_.now().plusSeconds(4));
    }
    CARDLINE_ASSIGN_OR_RETURN(auto page, tx.events().after(seqs[0], 2));
    EXPECT_EQ(page.size(), 2u);
    if (page.size() == 2) {
      EXPECT_EQ(page[0].seq, seqs[1]);
      EXPECT_EQ(page[1].seq, seqs[2]);
    }
    return Status::ok();
  }));
}

TEST_P(StoreContractTest, DevicesUpsertListRemove) {
  Device d;
  d.id = "P1";
  d.station = StationType::kPrint;
  d.state = DeviceState::kIdle;
  d.public_key = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7";
  d.node_id = "node-a";
  d.last_heartbeat = clock_.now();
  Device e = d;
  e.id = "E1";
  e.station = StationType::kEncode;
  ASSERT_OK(inTx(*store_, [&](StoreTransaction& tx) {
    CARDLINE_RETURN_IF_ERROR(tx.devices().upsert(d));
    return tx.devices().upsert(e);
  }));
  d.state = DeviceState::kBusy;
  d.current_job = "42";
  d.jobs_done = 7;
  d.jobs_failed = 1;
  ASSERT_OK(inTx(*store_, [&](StoreTransaction& tx) { return tx.devices().upsert(d); }));
  ASSERT_OK(inTx(*store_, [&](StoreTransaction& tx) {
    CARDLINE_ASSIGN_OR_RETURN(Device p1, tx.devices().find("P1"));
    EXPECT_EQ(p1.state, DeviceState::kBusy);
    EXPECT_EQ(p1.current_job, "42");
    EXPECT_EQ(p1.jobs_done, 7);
    EXPECT_EQ(p1.jobs_failed, 1);
    EXPECT_EQ(p1.public_key, d.public_key);
    EXPECT_EQ(p1.last_heartbeat, d.last_heartbeat);
    CARDLINE_ASSIGN_OR_RETURN(auto all, tx.devices().list());
    EXPECT_EQ(all.size(), 2u);
    if (all.size() == 2) {
      EXPECT_EQ(all[0].id, "E1");
      EXPECT_EQ(all[0].station, StationType::kEncode);
    }
    CARDLINE_RETURN_IF_ERROR(tx.devices().remove("E1"));
    EXPECT_EQ(tx.devices().remove("E1").code(), ErrorCode::kNotFound);
    EXPECT_EQ(tx.devices().find("E1").status().code(), ErrorCode::kNotFound);
    return Status::ok();
  }));
}

TEST_P(StoreContractTest, UsersInsertFindUpdateList) {
  User u;
  u.name = "lan";
  u.display_name = "Phạm Thị Lan";
  u.roles = {Role::kOperator, Role::kSupervisor};
  u.password_hash = "$scrypt$n=16384,r=8,p=1$c2FsdA$aGFzaA";
  u.created_at = clock_.now();
  User v = u;
  v.name = "an";
  v.roles = {};
  ASSERT_OK(inTx(*store_, [&](StoreTransaction& tx) {
    CARDLINE_RETURN_IF_ERROR(tx.users().insert(u));
    return tx.users().insert(v);
  }));
  Status dup = inTx(*store_, [&](StoreTransaction& tx) { return tx.users().insert(u); });
  EXPECT_EQ(dup.code(), ErrorCode::kAlreadyExists);
  u.disabled = true;
  u.failed_logins = 3;
  u.locked_until = clock_.now().plusSeconds(900);
  u.roles = {Role::kAdmin};
  ASSERT_OK(inTx(*store_, [&](StoreTransaction& tx) { return tx.users().update(u); }));
  User ghost = u;
  ghost.name = "ghost";
  Status missing = inTx(*store_, [&](StoreTransaction& tx) { return tx.users().update(ghost); });
  EXPECT_EQ(missing.code(), ErrorCode::kNotFound);
  ASSERT_OK(inTx(*store_, [&](StoreTransaction& tx) {
    CARDLINE_ASSIGN_OR_RETURN(User lan, tx.users().find("lan"));
    EXPECT_EQ(lan.display_name, "Phạm Thị Lan");
    EXPECT_THAT(lan.roles, ElementsAre(Role::kAdmin));
    EXPECT_TRUE(lan.disabled);
    EXPECT_EQ(lan.failed_logins, 3);
    EXPECT_EQ(lan.locked_until, u.locked_until);
    EXPECT_EQ(lan.password_hash, u.password_hash);
    CARDLINE_ASSIGN_OR_RETURN(auto all, tx.users().list());
    EXPECT_EQ(all.size(), 2u);
    if (all.size() == 2) {
      EXPECT_EQ(all[0].name, "an");
      EXPECT_TRUE(all[0].roles.empty());
    }
    EXPECT_EQ(tx.users().find("nobody").status().code(), ErrorCode::kNotFound);
    return Status::ok();
  }));
}

TEST_P(StoreContractTest, AuditAppendsWithoutGaps) {
  Status empty = inTx(*store_, [&](StoreTransaction& tx) { return tx.audit().last().status(); });
  EXPECT_EQ(empty.code(), ErrorCode::kNotFound);
  std::vector<std::int64_t> seqs;
  for (int i = 0; i < 3; ++i) {
    ASSERT_OK(inTx(*store_, [&](StoreTransaction& tx) {
      AuditEntry e;
      e.seq = 99;  // ignored
      e.at = clock_.now().plusSeconds(i);
      e.actor = "admin";
      e.action = "user.add";
      e.subject = "user:" + std::to_string(i);
      e.detail = "{}";
      e.prev_hash = std::string(64, static_cast<char>('0' + i));
      e.hash = std::string(64, static_cast<char>('1' + i));
      CARDLINE_ASSIGN_OR_RETURN(std::int64_t seq, tx.audit().append(e));
      seqs.push_back(seq);
      return Status::ok();
    }));
  }
  // A rolled-back append does not leave a gap.
  Status rolled_back = inTx(*store_, [&](StoreTransaction& tx) {
    AuditEntry e;
    e.actor = "x";
    CARDLINE_RETURN_IF_ERROR(tx.audit().append(e).status());
    return failedPrecondition("abandon");
  });
  EXPECT_EQ(rolled_back.code(), ErrorCode::kFailedPrecondition);
  EXPECT_THAT(seqs, ElementsAre(1, 2, 3));
  ASSERT_OK(inTx(*store_, [&](StoreTransaction& tx) {
    CARDLINE_ASSIGN_OR_RETURN(AuditEntry last, tx.audit().last());
    EXPECT_EQ(last.seq, 3);
    EXPECT_EQ(last.subject, "user:2");
    EXPECT_EQ(last.hash, std::string(64, '3'));
    CARDLINE_ASSIGN_OR_RETURN(auto page, tx.audit().after(1, 10));
    EXPECT_EQ(page.size(), 2u);
    if (page.size() == 2) {
      EXPECT_EQ(page[0].seq, 2);
    }
    CARDLINE_ASSIGN_OR_RETURN(std::int64_t next, tx.audit().append(AuditEntry{}));
    EXPECT_EQ(next, 4);
    return Status::ok();
  }));
}

TEST_P(StoreContractTest, FailedWorkRollsEverythingBack) {
  const Application a = makeApplication("APP-R", "001090000007", "Rollback");
  Status status = inTx(*store_, [&](StoreTransaction& tx) {
    CARDLINE_RETURN_IF_ERROR(tx.applications().insert(a));
    Event e;
    e.subject_type = "application";
    e.subject_id = "APP-R";
    e.kind = "imported";
    CARDLINE_RETURN_IF_ERROR(tx.events().append(e));
    CARDLINE_RETURN_IF_ERROR(
        tx.jobs().enqueue(makeJob("APP-R", StationType::kPrint, Priority::kNormal, {})).status());
    return invalidArgument("validation failed after writing");
  });
  EXPECT_EQ(status.code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "validation failed after writing");
  ASSERT_OK(inTx(*store_, [&](StoreTransaction& tx) {
    EXPECT_EQ(tx.applications().find("APP-R").status().code(), ErrorCode::kNotFound);
    CARDLINE_ASSIGN_OR_RETURN(auto history, tx.events().forSubject("application", "APP-R"));
    EXPECT_TRUE(history.empty());
    CARDLINE_ASSIGN_OR_RETURN(std::int64_t jobs,
                              tx.jobs().count(StationType::kPrint, JobState::kReady));
    EXPECT_EQ(jobs, 0);
    return Status::ok();
  }));
  // A failing statement inside the work also rolls back the earlier writes.
  insertApplication("APP-1");
  Status duplicate = inTx(*store_, [&](StoreTransaction& tx) {
    CARDLINE_RETURN_IF_ERROR(tx.applications().insert(a));
    return tx.applications().insert(makeApplication("APP-1", "001090000001", "Dup"));
  });
  EXPECT_EQ(duplicate.code(), ErrorCode::kAlreadyExists);
  ASSERT_OK(inTx(*store_, [&](StoreTransaction& tx) {
    EXPECT_EQ(tx.applications().find("APP-R").status().code(), ErrorCode::kNotFound);
    return Status::ok();
  }));
}

TEST_P(StoreContractTest, MigrationsAreIdempotent) {
  insertApplication("APP-1");
  auto report = migrateStore(options_, clock_);
  ASSERT_TRUE(report.isOk()) << report.status().toString();
  EXPECT_TRUE(report->applied.empty());
  EXPECT_EQ(report->from_version, schemaMigrations().back().version);
  EXPECT_EQ(report->to_version, report->from_version);
  EXPECT_NE(report->summary().find("current"), std::string::npos);
  ASSERT_OK(inTx(*store_, [&](StoreTransaction& tx) {
    return tx.applications().find("APP-1").status();
  }));
}

TEST_P(StoreContractTest, PersonalDataIsNeverStoredInClear) {
  const std::string name = "Hoàng Thị Xuân Quỳnh";
  const std::string number = "079188012345";
  const std::string residence = "Số 7 Ngõ Văn Chương";
  Application a = makeApplication("APP-PII", number, name);
  a.person.place_of_residence = residence;
  a.receiving_unit.name = "Đội Cảnh sát QLHC-KIỂM-TRA-7731";  // stored in clear on purpose
  ASSERT_OK(inTx(*store_, [&](StoreTransaction& tx) { return tx.applications().insert(a); }));
  const std::string raw = rawDatabaseContent();
  // The scan sees clear columns (proves the scan can find text at all)...
  EXPECT_NE(raw.find("QLHC-KIỂM-TRA-7731"), std::string::npos);
  EXPECT_NE(raw.find("APP-PII"), std::string::npos);
  // ...but no personal data.
  EXPECT_EQ(raw.find(name), std::string::npos);
  EXPECT_EQ(raw.find(number), std::string::npos);
  EXPECT_EQ(raw.find(residence), std::string::npos);
  EXPECT_EQ(raw.find("Nguyễn Văn Bố"), std::string::npos);
  // Still readable through the store.
  ASSERT_OK(inTx(*store_, [&](StoreTransaction& tx) {
    CARDLINE_ASSIGN_OR_RETURN(Application back, tx.applications().find("APP-PII"));
    EXPECT_EQ(back.person.full_name, name);
    EXPECT_EQ(back.personal_number, number);
    return Status::ok();
  }));
}

TEST_P(StoreContractTest, SealedPersonMovedToAnotherRowFailsToOpen) {
  insertApplication("APP-A", "001090000011");
  insertApplication("APP-B", "001090000022");
  auto db = openSqlConnection(options_);
  ASSERT_TRUE(db.isOk()) << db.status().toString();
  auto rows = (*db)->query("SELECT person_sealed FROM applications WHERE id = 'APP-B'", {});
  ASSERT_TRUE(rows.isOk()) << rows.status().toString();
  ASSERT_EQ(rows->size(), 1u);
  auto moved = (*db)->execute("UPDATE applications SET person_sealed = ? WHERE id = 'APP-A'",
                              {*sqlBytes(rows->at(0).at(0))});
  ASSERT_TRUE(moved.isOk()) << moved.status().toString();
  Status status = inTx(*store_, [&](StoreTransaction& tx) {
    return tx.applications().find("APP-A").status();
  });
  EXPECT_EQ(status.code(), ErrorCode::kDataLoss) << status.toString();
}

TEST_P(StoreContractTest, ConcurrentConditionalUpdateSucceedsExactlyOnce) {
  insertApplication("APP-RACE");
  constexpr int kThreads = 6;
  std::unique_ptr<Store> store = openAnotherStore(kThreads);
  ASSERT_NE(store, nullptr);
  StartLine start(kThreads);
  std::vector<Status> results(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      start.arriveAndWait();
      results[static_cast<std::size_t>(i)] = store->transact([&](StoreTransaction& tx) {
        return tx.applications().updatePosition("APP-RACE", 0, "step-" + std::to_string(i),
                                                ApplicationState::kQueued);
      });
    });
  }
  for (auto& thread : threads) thread.join();
  int ok = 0, conflicts = 0;
  for (const Status& s : results) {
    if (s.isOk()) ++ok;
    if (s.code() == ErrorCode::kConflict) ++conflicts;
    EXPECT_TRUE(s.isOk() || s.code() == ErrorCode::kConflict) << s.toString();
  }
  EXPECT_EQ(ok, 1);
  EXPECT_EQ(conflicts, kThreads - 1);
  ASSERT_OK(inTx(*store_, [&](StoreTransaction& tx) {
    CARDLINE_ASSIGN_OR_RETURN(Application a, tx.applications().find("APP-RACE"));
    EXPECT_EQ(a.revision, 1);
    return Status::ok();
  }));
}

TEST_P(StoreContractTest, ConcurrentWorkersLeaseEachJobExactlyOnce) {
  insertApplication("APP-Q");
  constexpr int kJobs = 60;
  constexpr int kWorkers = 4;
  ASSERT_OK(inTx(*store_, [&](StoreTransaction& tx) {
    for (int i = 0; i < kJobs; ++i) {
      CARDLINE_RETURN_IF_ERROR(
          tx.jobs()
              .enqueue(makeJob("APP-Q", StationType::kPrint,
                               i % 3 == 0 ? Priority::kUrgent : Priority::kNormal,
                               clock_.now().plusSeconds(i)))
              .status());
    }
    return Status::ok();
  }));
  std::unique_ptr<Store> store = openAnotherStore(kWorkers);
  ASSERT_NE(store, nullptr);
  StartLine start(kWorkers);
  std::vector<std::vector<std::int64_t>> leased(kWorkers);
  std::vector<Status> failures(kWorkers);
  std::vector<std::thread> workers;
  for (int w = 0; w < kWorkers; ++w) {
    workers.emplace_back([&, w] {
      const auto index = static_cast<std::size_t>(w);
      start.arriveAndWait();
      for (;;) {
        std::vector<StationJob> batch;
        Status s = store->transact([&](StoreTransaction& tx) {
          CARDLINE_ASSIGN_OR_RETURN(batch, leaseReady(tx.jobs(), StationType::kPrint,
                                                           "P" + std::to_string(w), "node",
                                                           clock_.now().plusSeconds(60), 3));
          return Status::ok();
        });
        if (!s.isOk()) {
          failures[index] = s;
          return;
        }
        if (batch.empty()) return;
        for (const auto& job : batch) leased[index].push_back(job.id);
      }
    });
  }
  for (auto& worker : workers) worker.join();
  std::multiset<std::int64_t> all;
  for (int w = 0; w < kWorkers; ++w) {
    EXPECT_TRUE(failures[static_cast<std::size_t>(w)].isOk())
        << failures[static_cast<std::size_t>(w)].toString();
    all.insert(leased[static_cast<std::size_t>(w)].begin(),
               leased[static_cast<std::size_t>(w)].end());
  }
  EXPECT_EQ(all.size(), static_cast<std::size_t>(kJobs));
  for (std::int64_t id : all) EXPECT_EQ(all.count(id), 1u) << "job " << id << " leased twice";
  ASSERT_OK(inTx(*store_, [&](StoreTransaction& tx) {
    CARDLINE_ASSIGN_OR_RETURN(std::int64_t left,
                              tx.jobs().count(StationType::kPrint, JobState::kReady));
    CARDLINE_ASSIGN_OR_RETURN(std::int64_t taken,
                              tx.jobs().count(StationType::kPrint, JobState::kLeased));
    EXPECT_EQ(left, 0);
    EXPECT_EQ(taken, kJobs);
    return Status::ok();
  }));
}

}  // namespace
}  // namespace cardline
