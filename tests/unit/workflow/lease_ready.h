#pragma once
// Test helper: leases up to `limit` ready jobs of a station to one device the way the line
// controller does (JobRepository::lockReady, then leaseJob), store order, no policy.

#include <string>
#include <vector>

#include "mes/core/store.h"

namespace cardline {

inline Result<std::vector<StationJob>> leaseReady(JobRepository& jobs, StationType station,
                                                  const std::string& device_id,
                                                  const std::string& node_id,
                                                  Timestamp lease_expires, int limit) {
  CARDLINE_ASSIGN_OR_RETURN(std::vector<StationJob> ready, jobs.lockReady(station, limit));
  std::vector<StationJob> leased;
  for (StationJob& job : ready) {
    CARDLINE_RETURN_IF_ERROR(jobs.leaseJob(job.id, device_id, node_id, lease_expires));
    job.state = JobState::kLeased;
    job.device_id = device_id;
    job.node_id = node_id;
    job.lease_expires = lease_expires;
    leased.push_back(std::move(job));
  }
  return leased;
}

}  // namespace cardline
