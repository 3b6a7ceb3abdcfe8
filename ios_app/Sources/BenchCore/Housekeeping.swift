import Foundation

/// Deletes what finished runs left in the app's container (I8). The host removes a run folder
/// after pulling its result when it can (pymobiledevice3 `apps rm`), but `xcrun devicectl` has no
/// remove for app containers, a host can die mid-run, and every run pushes its model again (the
/// host cannot hash inside the container): without this, work folders and models pile up.
///
/// Layout (benchctl's ios transport): `<root>/work/<run_id>/spec.json` and
/// `<root>/models/<sha prefix>/<artifact>`, with `<root>` = `Documents/benchctl`. Called when the
/// app starts with a spec, before it runs: everything in `work/` but the spec's own run folder,
/// and everything in `models/` but the folder of the spec's model, is deleted. A spec outside
/// that layout deletes nothing.
public enum Housekeeping {
    /// Returns the deleted entries. `modelPath` is the spec's `model.path` (relative to the
    /// spec's folder), nil when the spec could not be read (then no model is deleted).
    @discardableResult
    public static func pruneLeftovers(specURL: URL, modelPath: String?,
                                      fileManager: FileManager = .default) -> [URL] {
        let runDir = specURL.deletingLastPathComponent().standardizedFileURL
        let workDir = runDir.deletingLastPathComponent()
        guard workDir.lastPathComponent == "work" else { return [] }
        let root = workDir.deletingLastPathComponent()
        var deleted = remove(in: workDir, keeping: runDir, fileManager)
        if let modelPath {
            let model = runDir.appendingPathComponent(modelPath).standardizedFileURL
            let modelsDir = root.appendingPathComponent("models").standardizedFileURL
            // The model's folder directly under models/ (models/<sha prefix>/…).
            let parts = model.pathComponents
            let base = modelsDir.pathComponents
            if parts.count > base.count, Array(parts.prefix(base.count)) == base {
                let keep = modelsDir.appendingPathComponent(parts[base.count])
                deleted += remove(in: modelsDir, keeping: keep, fileManager)
            }
        }
        return deleted
    }

    private static func remove(in folder: URL, keeping keep: URL, _ fileManager: FileManager) -> [URL] {
        guard let entries = try? fileManager.contentsOfDirectory(
            at: folder, includingPropertiesForKeys: nil, options: [.skipsHiddenFiles]
        ) else { return [] }
        var deleted: [URL] = []
        for entry in entries where entry.standardizedFileURL.lastPathComponent != keep.lastPathComponent {
            do {
                try fileManager.removeItem(at: entry)
                deleted.append(entry)
            } catch {
                NSLog("benchctl: could not delete %@: %@", entry.path, "\(error)")
            }
        }
        return deleted
    }
}
