// libFuzzer target: the JSON5 parser and the playbook reader (see .ci/fuzz.sh).
//
// Oracles beyond "no crash": whatever the parser accepts serializes to strict JSON that parses
// back to the same serialization; whatever playbook the reader accepts serializes to a JSON
// playbook the reader accepts again, equal to the first.
import LeadLifecycle

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPlaybook(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  let bytes = Array(UnsafeBufferPointer(start: data, count: size))
  if let value = try? JSON5Parser.parse(bytes: bytes) {
    let text = value.serialized()
    guard let again = try? JSON5Parser.parse(text) else {
      fatalError("serialized JSON does not parse again: \(text)")
    }
    guard again.serialized() == text else {
      fatalError("JSON round trip differs: \(text) vs \(again.serialized())")
    }
    _ = value.serialized(pretty: true)
  }
  let text = String(decoding: bytes, as: UTF8.self)
  do {
    let playbook = try Playbook.parse(text)
    let json = playbook.json.serialized(pretty: true)
    let again: Playbook
    do {
      again = try Playbook.parse(json)
    } catch {
      fatalError("an accepted playbook does not read back: \(error)\n\(json)")
    }
    guard again == playbook else { fatalError("playbook round trip differs:\n\(json)") }
  } catch {
    _ = error.description
  }
  return 0
}
