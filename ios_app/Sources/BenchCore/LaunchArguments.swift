import Foundation

/// The app's only input: the spec path, given as `--spec <path>`, `--spec=<path>` or as the one
/// positional argument (how benchctl's ios transport launches it). A relative path is resolved
/// against the app's container (`Documents/benchctl/work/<run_id>/spec.json`).
public enum LaunchArguments {
    public enum Problem: Error, Equatable, CustomStringConvertible {
        case missing
        case ambiguous([String])

        public var description: String {
            switch self {
            case .missing: return "no spec: launch with --spec <path to spec.json>"
            case let .ambiguous(paths): return "more than one spec path: \(paths.joined(separator: ", "))"
            }
        }
    }

    /// `arguments` as in `CommandLine.arguments` (the program path first). Arguments the system
    /// adds (`-NSFoo value`, `-AppleLanguages …`) are skipped.
    public static func specPath(_ arguments: [String], container: URL) throws -> URL {
        var found: [String] = []
        var i = 1
        while i < arguments.count {
            let arg = arguments[i]
            if arg == "--" { // devicectl's end of its own options, should it pass it on
                i += 1
                continue
            }
            if arg == "--spec", i + 1 < arguments.count {
                found.append(arguments[i + 1])
                i += 2
                continue
            }
            if arg.hasPrefix("--spec=") {
                found.append(String(arg.dropFirst("--spec=".count)))
            } else if arg.hasPrefix("-") {
                i += 2 // a system default such as -NSDoubleLocalizedStrings YES
                continue
            } else {
                found.append(arg)
            }
            i += 1
        }
        guard let path = found.first else { throw Problem.missing }
        guard found.count == 1 else { throw Problem.ambiguous(found) }
        return path.hasPrefix("/") ? URL(fileURLWithPath: path) : container.appendingPathComponent(path)
    }
}
