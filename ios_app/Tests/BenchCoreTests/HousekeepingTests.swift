@testable import BenchCore
import XCTest

final class HousekeepingTests: XCTestCase {
    /// Documents/benchctl as the host leaves it after two earlier runs, then a third run's spec.
    func testEverythingButThisRunAndItsModelIsDeleted() throws {
        let fm = FileManager.default
        let root = fm.temporaryDirectory.appendingPathComponent(UUID().uuidString)
            .appendingPathComponent("Documents/benchctl")
        let work = root.appendingPathComponent("work")
        let models = root.appendingPathComponent("models")
        for dir in ["work/old1", "work/old2", "work/now", "models/aaaa/model.mlpackage", "models/bbbb"] {
            try fm.createDirectory(at: root.appendingPathComponent(dir), withIntermediateDirectories: true)
        }
        try Data("{}".utf8).write(to: work.appendingPathComponent("old1/result.json"))
        try Data("x".utf8).write(to: models.appendingPathComponent("bbbb/model.mlpackage"))
        let spec = work.appendingPathComponent("now/spec.json")
        try Data("{}".utf8).write(to: spec)

        let removed = Housekeeping.pruneLeftovers(specURL: spec, modelPath: "../../models/aaaa/model.mlpackage")

        XCTAssertEqual(Set(removed.map(\.lastPathComponent)), ["old1", "old2", "bbbb"])
        XCTAssertEqual(try fm.contentsOfDirectory(atPath: work.path), ["now"])
        XCTAssertEqual(try fm.contentsOfDirectory(atPath: models.path), ["aaaa"])
        XCTAssertTrue(fm.fileExists(atPath: spec.path))
    }

    func testASpecOutsideTheLayoutDeletesNothing() throws {
        let fm = FileManager.default
        let dir = fm.temporaryDirectory.appendingPathComponent(UUID().uuidString)
        try fm.createDirectory(at: dir.appendingPathComponent("other"), withIntermediateDirectories: true)
        let spec = dir.appendingPathComponent("spec.json")
        try Data("{}".utf8).write(to: spec)
        XCTAssertEqual(Housekeeping.pruneLeftovers(specURL: spec, modelPath: "model.mlpackage"), [])
        XCTAssertTrue(fm.fileExists(atPath: dir.appendingPathComponent("other").path))
    }
}
