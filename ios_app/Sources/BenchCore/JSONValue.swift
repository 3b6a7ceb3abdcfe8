import Foundation

/// Any JSON value, for the contract's open objects (`device`, `environment`, `plan_summary`):
/// they are carried through unchanged, so a reader never drops what a newer writer added.
public enum JSONValue: Codable, Equatable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() {
            self = .null
        } else if let b = try? c.decode(Bool.self) {
            self = .bool(b)
        } else if let i = try? c.decode(Int64.self) {
            self = .int(i)
        } else if let d = try? c.decode(Double.self) {
            self = .double(d)
        } else if let s = try? c.decode(String.self) {
            self = .string(s)
        } else if let a = try? c.decode([JSONValue].self) {
            self = .array(a)
        } else {
            self = .object(try c.decode([String: JSONValue].self))
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case let .bool(b): try c.encode(b)
        case let .int(i): try c.encode(i)
        case let .double(d): try c.encode(d) // JSONEncoder refuses NaN/Infinity: good
        case let .string(s): try c.encode(s)
        case let .array(a): try c.encode(a)
        case let .object(o): try c.encode(o)
        }
    }

    /// JSON has one kind of number: JSONEncoder writes a whole double without ".0" and the
    /// decoder above reads it back as an integer, so `.int(1001)` equals `.double(1001)`.
    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case let (.bool(a), .bool(b)): return a == b
        case let (.int(a), .int(b)): return a == b
        case let (.double(a), .double(b)): return a == b
        case let (.int(i), .double(d)), let (.double(d), .int(i)): return Double(i) == d
        case let (.string(a), .string(b)): return a == b
        case let (.array(a), .array(b)): return a == b
        case let (.object(a), .object(b)): return a == b
        default: return false
        }
    }

    public subscript(key: String) -> JSONValue? {
        if case let .object(o) = self { return o[key] }
        return nil
    }

    public var stringValue: String? {
        if case let .string(s) = self { return s }
        return nil
    }
}

public extension Dictionary where Key == String, Value == JSONValue {
    /// Builds an object from optional values; `nil` becomes JSON null (the key is kept).
    static func facts(_ pairs: KeyValuePairs<String, Any?>) -> [String: JSONValue] {
        var out: [String: JSONValue] = [:]
        for (key, value) in pairs {
            switch value {
            case nil: out[key] = .null
            case let v as JSONValue: out[key] = v
            case let v as Bool: out[key] = .bool(v)
            case let v as Int: out[key] = .int(Int64(v))
            case let v as Int64: out[key] = .int(v)
            case let v as Double: out[key] = v.isFinite ? .double(v) : .null
            case let v as Float: out[key] = v.isFinite ? .double(Double(v)) : .null
            case let v as String: out[key] = .string(v)
            case let v as [String]: out[key] = .array(v.map { .string($0) })
            case let v as [String: JSONValue]: out[key] = .object(v)
            default: out[key] = .string(String(describing: value!))
            }
        }
        return out
    }
}
