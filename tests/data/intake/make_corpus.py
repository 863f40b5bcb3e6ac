#!/usr/bin/env python3
"""Writes the intake test corpus next to this script:
  valid.jsonl / valid.csv   records that must be accepted (edge cases included)
  broken.jsonl              one record per line, each with known defects
  broken.expected.tsv       line<TAB>field<TAB>message for every problem of broken.jsonl
                            (a message ending in '*' is a prefix; field '-' = whole record)
Validation 'now' in the tests is 2026-01-01T00:00:00Z (FakeClock default).
Run it again after changing a rule; review the diff of the .tsv by hand."""
import copy, json, os, unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
UNIT_001 = ("PC06-001", "Phòng Cảnh sát quản lý hành chính về trật tự xã hội, "
            "Công an thành phố Hà Nội")
UNIT_079 = ("PC06-079", "Phòng Cảnh sát quản lý hành chính về trật tự xã hội, "
            "Công an thành phố Hồ Chí Minh")

BASE_2021 = {
    "application_id": "T21-0001", "approval_ref": "PD-2024-0000001",
    "approved_at": "2024-03-01T09:30:00+07:00", "card_model": "cccd-2021",
    "request_type": "renewal", "priority": "normal", "personal_number": "001090123456",
    "old_id_number": "012345678", "full_name": "Nguyễn Văn An", "date_of_birth": "1990-05-17",
    "sex": "M", "nationality": "VNM", "ethnicity": "Kinh", "religion": "Không",
    "place_of_origin": "Xã Đông Hưng, tỉnh Hưng Yên",
    "place_of_residence": "Số 12 Lê Lợi, Phường Hoàn Kiếm, thành phố Hà Nội",
    "identifying_marks": "Nốt ruồi C: 1cm trên sau đầu mày phải", "issue_date": "2024-03-01",
    "photo": {"format": "jpeg", "path": "images/photo.jpg"},
    "fingerprints": {"left_index": {"format": "jpeg", "path": "images/fingerprint.jpg"},
                     "right_index": {"format": "jpeg", "path": "images/fingerprint.jpg"}},
    "receiving_unit": {"code": UNIT_001[0], "name": UNIT_001[1]},
}
BASE_2024 = {
    "application_id": "T24-0001", "approval_ref": "PD-2025-0000002",
    "approved_at": "2025-12-01T14:05:00+07:00", "card_model": "can-cuoc-2024",
    "request_type": "new", "priority": "urgent", "personal_number": "079301654321",
    "full_name": "Trần Thị Thu Hương", "date_of_birth": "2001-08-09", "sex": "F",
    "nationality": "VNM", "ethnicity": "Kinh", "religion": "Phật giáo",
    "place_of_birth_registration": "Phường Bến Thành, Thành phố Hồ Chí Minh",
    "place_of_residence": "Số 5 Nguyễn Huệ, Phường Sài Gòn, Thành phố Hồ Chí Minh",
    "father_name": "Trần Văn Bình", "mother_name": "Lê Thị Mai", "issue_date": "2025-12-01",
    "photo": {"format": "jpeg", "path": "images/photo.jpg"},
    "receiving_unit": {"code": UNIT_079[0], "name": UNIT_079[1]},
}

def rec(base, app_id, **changes):
    r = copy.deepcopy(base)
    r["application_id"] = app_id
    for k, v in changes.items():
        keys = k.split("__")
        target = r
        for key in keys[:-1]:
            target = target.setdefault(key, {})
        if v is None:
            target.pop(keys[-1], None)
        else:
            target[keys[-1]] = v
    return r

# ---- valid ----
valid = [
    rec(BASE_2021, "V-0001"),
    rec(BASE_2024, "V-0002"),
    # decomposed Vietnamese text (NFD) must be normalised to NFC and accepted
    rec(BASE_2024, "V-0003", personal_number="079301654322",
        full_name=unicodedata.normalize("NFD", "Phạm Thị Ánh Nguyệt"),
        place_of_residence=unicodedata.normalize("NFD", "Số 7 Điện Biên Phủ, Đà Nẵng")),
    # a PNG photo
    rec(BASE_2024, "V-0004", personal_number="079301654323",
        photo={"format": "png", "path": "images/photo.png"}),
    # a 2024 card for a 3-year-old: no photo needed; no fingerprints
    rec(BASE_2024, "V-0005", personal_number="079322654324", date_of_birth="2022-03-03",
        photo=None, father_name=None, mother_name=None),
    # 2000s male (G=2), separators and quotes in text
    rec(BASE_2021, "V-0006", personal_number="001205000001", date_of_birth="2005-01-31",
        full_name="Đỗ Đức Đạt", place_of_residence="Số 3, ngõ 5 (cũ), Hà Nội",
        identifying_marks="Sẹo chấm C: 1,5cm \"trên\" đầu mày trái".replace('"', "'")),
]

# ---- broken: (record, [(field, message)]) ----
B21, B24 = BASE_2021, BASE_2024
UNPRINTABLE = "contains a character the card fonts cannot print: "
broken = [
    (rec(B21, "B-pn-short", personal_number="00109012345"),
     [("personal_number", "must be 12 digits")]),
    (rec(B21, "B-pn-letters", personal_number="00109012345X"),
     [("personal_number", "must be 12 digits")]),
    (rec(B21, "B-pn-province", personal_number="003090123456"),
     [("personal_number", "province code 003 is not a known province")]),
    (rec(B21, "B-pn-sex", personal_number="001190123456"),
     [("personal_number", "century/sex digit 1 does not match sex M and birth year 1990 (expected 0)")]),
    (rec(B21, "B-pn-century", personal_number="001290123456"),
     [("personal_number", "century/sex digit 2 does not match sex M and birth year 1990 (expected 0)")]),
    (rec(B21, "B-pn-year", personal_number="001091123456"),
     [("personal_number", "year digits 91 do not match birth year 1990")]),
    (rec(B21, "B-dob-unreal", date_of_birth="1990-02-30"),
     [("date_of_birth", "must be a real date YYYY-MM-DD, got '1990-02-30'")]),
    (rec(B21, "B-dob-shape", date_of_birth="17/05/1990"),
     [("date_of_birth", "must be a real date YYYY-MM-DD, got '17/05/1990'")]),
    (rec(B21, "B-dob-future", date_of_birth="2030-01-01"),
     [("date_of_birth", "must not be in the future")]),
    (rec(B21, "B-issue-before-birth", issue_date="1989-12-31"),
     [("issue_date", "must not be before date_of_birth")]),
    (rec(B21, "B-issue-unreal", issue_date="2024-02-30"),
     [("issue_date", "must be a real date YYYY-MM-DD, got '2024-02-30'")]),
    (rec(B21, "B-approved-no-offset", approved_at="2024-03-01T09:30:00"),
     [("approved_at", "must be an ISO 8601 timestamp with offset (2026-03-01T08:15:00+07:00), got '2024-03-01T09:30:00'")]),
    (rec(B21, "B-approved-future", approved_at="2026-02-01T00:00:00+07:00"),
     [("approved_at", "must not be in the future")]),
    (rec(B21, "B-model", card_model="cccd-2016"),
     [("card_model", "must be one of cccd-2021, can-cuoc-2024, got 'cccd-2016'")]),
    (rec(B21, "B-request", request_type="lost"),
     [("request_type", "must be one of new, renewal, replacement, got 'lost'")]),
    (rec(B21, "B-priority", priority="high"),
     [("priority", "must be one of normal, urgent, got 'high'")]),
    (rec(B21, "B-sex", sex="X"), [("sex", "must be M or F, got 'X'")]),
    (rec(B21, "B-nationality", nationality="VN"),
     [("nationality", "must be an ISO 3166 alpha-3 code of three capital letters (VNM)")]),
    (rec(B21, "B-old-id", old_id_number="12345"), [("old_id_number", "must be 9 digits")]),
    (rec(B21, "B-no-name", full_name=None), [("full_name", "is required")]),
    (rec(B21, "B-blank-name", full_name="   "), [("full_name", "is required")]),
    (rec(B21, "B-cjk-name", full_name="Nguyễn Văn 王"),
     [("full_name", UNPRINTABLE + "U+738B '王' at character 12")]),
    (rec(B21, "B-emoji-residence", place_of_residence="Số 1 Lê Lợi 🏠"),
     [("place_of_residence", UNPRINTABLE + "U+1F3E0 '🏠' at character 13")]),
    (rec(B21, "B-combining-left", full_name="Nguyen Van Ax\u0301"),
     [("full_name", UNPRINTABLE + "U+0301 '\u0301' at character 14")]),
    (rec(B21, "B-long-name", full_name="Nguyễn Hoàng Phương Thảo Nguyên Bảo Ngọc Anh"),
     [("full_name", "is 44 characters long; at most 40 fit on the card")]),
    (rec(B21, "B-long-residence", place_of_residence="Số 1 " + "Lê Lợi " * 15),
     [("place_of_residence", "is 109 characters long; at most 100 fit on the card")]),
    (rec(B21, "B-2021-no-origin", place_of_origin=None), [("place_of_origin", "is required")]),
    (rec(B21, "B-2021-no-marks", identifying_marks=None), [("identifying_marks", "is required")]),
    (rec(B21, "B-2021-birth-reg", place_of_birth_registration="Hà Nội"),
     [("place_of_birth_registration", "is not used by card model cccd-2021")]),
    (rec(B21, "B-2021-father", father_name="Nguyễn Văn Bố"),
     [("father_name", "is not used by card model cccd-2021")]),
    (rec(B21, "B-2021-child", personal_number="001214123456", date_of_birth="2014-05-01"),
     [("date_of_birth", "holder is 9 on issue_date; card model cccd-2021 requires 14 or older")]),
    (rec(B21, "B-2021-no-right-finger", fingerprints__right_index=None),
     [("fingerprints.right_index", "is required")]),
    (rec(B21, "B-finger-small", fingerprints__left_index__path="images/photo_small.jpg"),
     []),  # 240x320 is big enough for a fingerprint: sanity line, must be valid -> skipped below
    (rec(B24, "B-2024-no-birth-reg", place_of_birth_registration=None),
     [("place_of_birth_registration", "is required")]),
    (rec(B24, "B-2024-origin", place_of_origin="Thái Bình"),
     [("place_of_origin", "is not used by card model can-cuoc-2024")]),
    (rec(B24, "B-2024-marks", identifying_marks="Sẹo"),
     [("identifying_marks", "is not used by card model can-cuoc-2024")]),
    (rec(B24, "B-2024-fingerprints",
         fingerprints={"left_index": {"format": "jpeg", "path": "images/fingerprint.jpg"}}),
     [("fingerprints.left_index", "is not used by card model can-cuoc-2024")]),
    (rec(B24, "B-2024-early", issue_date="2024-06-30", approved_at="2024-06-30T10:00:00+07:00"),
     [("issue_date", "must be on or after 2024-07-01 for card model can-cuoc-2024")]),
    (rec(B24, "B-2024-child-photo-bad", personal_number="079322654324",
         date_of_birth="2022-03-03", photo={"format": "jpeg", "path": "images/photo_small.jpg"}),
     [("photo", "is 240x320 pixels, below the minimum 300x400")]),
    (rec(B21, "B-photo-missing", photo=None), [("photo", "is required")]),
    (rec(B21, "B-photo-small", photo={"format": "jpeg", "path": "images/photo_small.jpg"}),
     [("photo", "is 240x320 pixels, below the minimum 300x400")]),
    (rec(B21, "B-photo-truncated", photo={"format": "jpeg", "path": "images/truncated.jpg"}),
     [("photo", "cannot decode the JPEG: *")]),
    (rec(B21, "B-photo-not-image", photo={"format": "jpeg", "path": "images/not_an_image.jpg"}),
     [("photo", "not a JPEG file: starts with 0x68 0x65")]),
    (rec(B21, "B-photo-png-as-jpeg", photo={"format": "jpeg", "path": "images/photo.png"}),
     [("photo", "not a JPEG file: starts with 0x89 0x50")]),
    (rec(B21, "B-photo-no-file", photo={"format": "jpeg", "path": "images/missing.jpg"}),
     [("photo.path", "cannot read images/missing.jpg")]),
    (rec(B21, "B-photo-escape", photo={"format": "jpeg", "path": "../../../etc/passwd"}),
     [("photo.path", "must be a relative path inside the input file's folder")]),
    (rec(B21, "B-photo-absolute", photo={"format": "jpeg", "path": "/etc/passwd"}),
     [("photo.path", "must be a relative path inside the input file's folder")]),
    (rec(B21, "B-photo-gif", photo={"format": "gif", "path": "images/photo.jpg"}),
     [("photo.format", "must be jpeg or png, got 'gif'")]),
    (rec(B21, "B-photo-no-format", photo={"path": "images/photo.jpg"}),
     [("photo.format", "is required")]),
    (rec(B21, "B-photo-no-bytes", photo={"format": "jpeg"}),
     [("photo.data", "is required (or photo.path)")]),
    (rec(B21, "B-photo-base64", photo={"format": "jpeg", "data": "!!!not base64!!!"}),
     [("photo.data", "is not valid base64")]),
    (rec(B21, "B-photo-both", photo={"format": "jpeg", "data": "/9j/", "path": "images/photo.jpg"}),
     [("photo.path", "must not be given together with photo.data")]),
    (rec(B21, "B-unit-unknown", receiving_unit__code="PC06-999"),
     [("receiving_unit.code", "unknown receiving unit PC06-999")]),
    (rec(B21, "B-unit-name", receiving_unit__name="Công an Hà Nội"),
     [("receiving_unit.name", "does not match the reference name of unit PC06-001 ('" + UNIT_001[1] + "')")]),
    (rec(B21, "B-unit-missing", receiving_unit=None),
     [("receiving_unit.code", "is required"), ("receiving_unit.name", "is required")]),
    (rec(B21, "B-unknown-field", middle_name="Văn"), [("middle_name", "unknown field")]),
    (rec(B21, "B-number-type", priority=1), [("priority", "must be a string")]),
    (rec(B21, "B-array-type", full_name=["Nguyễn", "An"]), [("full_name", "must be a string")]),
    (rec(B21, "bad id!"), [("application_id", "must be 1 to 64 characters from A-Z a-z 0-9 . _ -")]),
    (rec(B21, "", ), [("application_id", "is required")]),
    # combinations: every problem of the record is reported
    (rec(B21, "B-combo-1", personal_number="003090123456", sex="X", full_name=None,
         receiving_unit__code="PC06-999"),
     [("personal_number", "province code 003 is not a known province"),
      ("sex", "must be M or F, got 'X'"), ("full_name", "is required"),
      ("receiving_unit.code", "unknown receiving unit PC06-999")]),
    (rec(B21, "B-combo-2", date_of_birth="1990-13-01", issue_date="soon",
         photo={"format": "jpeg", "path": "images/photo_small.jpg"}, religion=None),
     [("date_of_birth", "must be a real date YYYY-MM-DD, got '1990-13-01'"),
      ("issue_date", "must be a real date YYYY-MM-DD, got 'soon'"), ("religion", "is required"),
      ("photo", "is 240x320 pixels, below the minimum 300x400")]),
    (rec(B24, "B-combo-3", personal_number="079201654321", place_of_origin="Huế",
         fingerprints={"right_index": {"format": "png", "path": "images/photo.png"}},
         mother_name="Lê Thị ☺"),
     [("personal_number", "century/sex digit 2 does not match sex F and birth year 2001 (expected 3)"),
      ("place_of_origin", "is not used by card model can-cuoc-2024"),
      ("fingerprints.right_index", "is not used by card model can-cuoc-2024"),
      ("mother_name", UNPRINTABLE + "U+263A '☺' at character 8")]),
]
broken = [b for b in broken if b[1]]  # drop sanity entries without problems

def dump(r):
    return json.dumps(r, ensure_ascii=False, separators=(",", ":"))

raw_lines = []   # (text bytes, expected)
for r, expected in broken:
    raw_lines.append((dump(r).encode(), expected))
# Raw defects the JSON writer cannot produce.
raw_lines.append((b'{"application_id":"B-json-cut","full_name":"Nguy', [("-", "invalid JSON: *")]))
raw_lines.append((b'[1,2,3]', [("-", "not a JSON object")]))
bad_utf8 = dump(rec(B21, "B-bad-utf8", full_name="Nguyễn Văn XX")).encode().replace(b"XX", b"\xc3\x28")
raw_lines.append((bad_utf8, [("-", "not valid UTF-8 at byte *"),
                             ("full_name", UNPRINTABLE + "U+FFFD '\ufffd' at character 12")]))

with open(os.path.join(HERE, "broken.jsonl"), "wb") as f, \
     open(os.path.join(HERE, "broken.expected.tsv"), "w", encoding="utf-8") as e:
    e.write("# line\tfield\tmessage (generated by make_corpus.py)\n")
    for i, (text, expected) in enumerate(raw_lines, 1):
        f.write(text + b"\n")
        for field, message in expected:
            e.write(f"{i}\t{field}\t{message}\n")

with open(os.path.join(HERE, "valid.jsonl"), "w", encoding="utf-8") as f:
    for r in valid:
        f.write(dump(r) + "\n")

# The same valid records as CSV (dotted headers), CRLF, UTF-8 BOM, quoted separators.
FIELDS = ["application_id", "approval_ref", "approved_at", "card_model", "request_type",
          "priority", "personal_number", "old_id_number", "full_name", "date_of_birth", "sex",
          "nationality", "ethnicity", "religion", "place_of_origin",
          "place_of_birth_registration", "place_of_residence", "identifying_marks",
          "father_name", "mother_name", "issue_date"]
for img in ["photo", "fingerprints.left_index", "fingerprints.right_index"]:
    FIELDS += [img + ".format", img + ".data", img + ".path"]
FIELDS += ["receiving_unit.code", "receiving_unit.name"]

def flat(r, prefix=""):
    out = {}
    for k, v in r.items():
        if isinstance(v, dict):
            out.update(flat(v, prefix + k + "."))
        else:
            out[prefix + k] = v
    return out

def csv_field(v):
    if any(c in v for c in ',"\r\n'):
        return '"' + v.replace('"', '""') + '"'
    return v

with open(os.path.join(HERE, "valid.csv"), "wb") as f:
    f.write(b"\xef\xbb\xbf")
    f.write((",".join(FIELDS) + "\r\n").encode())
    for r in valid:
        fl = flat(r)
        f.write((",".join(csv_field(fl.get(k, "")) for k in FIELDS) + "\r\n").encode())
