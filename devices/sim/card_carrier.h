#pragma once
// The card carrier store: what the physical cards hold, on disk. One folder per blank serial
// under ROOT/cards/ holds the card's record (card.txt), the print as the printer produced it
// (card.pdf, the job it printed; front.png and back.png, the faces as laid down, defects and
// all) and the chip (chip.bin, a SimChip image). ROOT/tray/<application> names the card that
// travels with an application between stations (the conveyor), so encode, QA and dispatch
// handle the physical card, not the serial the MES believes in. Plus the blank hopper.
// Thread-compatible: one simulator process per station; different stations touch different
// files of a card at different times.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "mes/base/bytes.h"
#include "mes/base/status.h"

namespace cardline::sim {

// The record of one physical card (card.txt, "key=value" lines).
struct CardRecord {
  std::string serial;               // the blank's own serial (engraved on the body)
  std::string application;          // the application printed on it
  std::string reported_as;          // the serial the printer reported (differs only for wrong_card)
  std::vector<std::string> faults;  // SimFault names injected into this card
  std::string dispatched_to;        // receiving unit, once packed
};

class CardCarrier {
 public:
  // A store under root (created on first write).
  explicit CardCarrier(std::string root);

  const std::string& root() const { return root_; }
  std::string cardDir(const std::string& serial) const;

  // True when a folder for serial exists (the blank has been consumed).
  bool exists(const std::string& serial) const;
  // Creates the card's folder and writes its record. Fails with kAlreadyExists when the blank
  // was consumed before, kInvalidArgument for a serial that is not a token
  // ([A-Za-z0-9._-]{1,64}), kUnavailable when the folder cannot be written.
  Status createCard(const CardRecord& record);
  // Rewrites card.txt. Fails with kNotFound when the card does not exist, kUnavailable on I/O.
  Status writeRecord(const CardRecord& record);
  // Reads card.txt. Fails with kNotFound when missing, kDataLoss when malformed.
  Result<CardRecord> readRecord(const std::string& serial) const;

  // Writes / reads one file of the card (name: a plain file name). putFile fails with
  // kNotFound when the card does not exist, kUnavailable on I/O; getFile with kNotFound when
  // the file is missing.
  Status putFile(const std::string& serial, const std::string& name, const Bytes& data);
  Result<Bytes> getFile(const std::string& serial, const std::string& name) const;

  // The card travelling with application. placeInTray fails with kInvalidArgument for an
  // application id that is not a token, kUnavailable on I/O; cardInTray with kNotFound when no
  // card travels with it.
  Status placeInTray(const std::string& application, const std::string& serial);
  Result<std::string> cardInTray(const std::string& application) const;

  // Serials of every card in the store, sorted.
  std::vector<std::string> serials() const;

 private:
  std::string root_;
};

// The blank hopper of a print station: an ordered list of serials, from a range "FROM-TO"
// (same prefix, same number of digits: "BLK000001-BLK001000") or a file (one serial a line,
// '#' comments). next() hands out the first serial not yet consumed in the carrier store, so a
// restarted printer never reuses a blank.
class Hopper {
 public:
  // Fails with kInvalidArgument when spec is not a range as described, or FROM > TO.
  static Result<Hopper> fromRange(const std::string& spec);
  // Fails with kNotFound / kInvalidArgument when the file is missing or holds a bad serial.
  static Result<Hopper> fromFile(const std::string& path);

  // The next unconsumed serial. Fails with kFailedPrecondition ("hopper empty") when every
  // serial has been consumed.
  Result<std::string> next(const CardCarrier& carrier);
  std::size_t size() const { return serials_.size(); }

 private:
  explicit Hopper(std::vector<std::string> serials) : serials_(std::move(serials)) {}
  std::vector<std::string> serials_;
  std::size_t position_ = 0;
};

// True for [A-Za-z0-9._-]{1,64}.
bool isSimToken(const std::string& s);

}  // namespace cardline::sim
