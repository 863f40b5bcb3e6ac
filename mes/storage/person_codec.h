#pragma once
// A compact binary form of Person, the plaintext that PiiProtector seals into the
// applications.person_sealed column.
//
// Format (version 1): one version byte, then the fields in declaration order; strings and
// byte strings as a LEB128 length and the bytes, dates as "YYYY-MM-DD" strings, sex as its
// name, optional images as a presence byte (0/1) followed by the image. Fields are only ever
// appended in a new version.

#include "mes/base/bytes.h"
#include "mes/base/status.h"
#include "mes/core/domain.h"

namespace cardline {

Bytes encodePerson(const Person& person);
// kDataLoss if the bytes are truncated, have trailing garbage, an unknown version or an
// invalid date or sex.
Result<Person> decodePerson(const Bytes& bytes);

}  // namespace cardline
