// swiftlang/swift#75670: on Linux before Swift 6.2, libswiftObservation.so
// refers to swift::threading::fatal(char const*, ...), which the runtime does
// not export, so anything importing Observation fails to link. This module
// defines that one symbol (exactly once in the program); newer toolchains and
// Apple platforms do not need it.
#if os(Linux) && compiler(<6.2)
@_cdecl("_ZN5swift9threading5fatalEPKcz")
public func volunteerDemoSwiftThreadingFatal(_ message: UnsafePointer<CChar>) -> Never {
    fatalError(String(cString: message))
}
#endif
