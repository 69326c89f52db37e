// libFuzzer target: the event decoder (one line of the JSON Lines wire format, what
// `leadboard ingest` reads), see .ci/fuzz.sh.
//
// Oracle beyond "no crash": an accepted event encodes to a line that decodes again, and that
// second encoding is the same line (the wire format is stable after one normalization).
import LeadLifecycle

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzEvent(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  // As ingest does: lines are split on newlines and must be valid UTF-8 without NUL.
  let bytes = UnsafeBufferPointer(start: data, count: size)
  guard !bytes.contains(0), !bytes.contains(0x0A),
    let line = String(validating: bytes, as: UTF8.self)
  else { return 0 }
  do {
    let event = try Event(jsonLine: line)
    let encoded = event.jsonLine
    let again: Event
    do {
      again = try Event(jsonLine: encoded)
    } catch {
      fatalError("an accepted event does not decode again: \(error)\n\(encoded)")
    }
    guard again.jsonLine == encoded else {
      fatalError("event round trip differs:\n\(encoded)\n\(again.jsonLine)")
    }
  } catch {
    _ = error.description
  }
  return 0
}
