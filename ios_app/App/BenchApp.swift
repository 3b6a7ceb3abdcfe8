import BenchCore
import SwiftUI
import UIKit

/// The iOS companion: headless in spirit. benchctl launches it with the spec path
/// (`--spec <path>` or the one positional argument), it runs the spec once, writes result.json
/// beside it in its container, shows one status line, and exits so the host sees it is done.
@main
struct BenchApp: App {
    @StateObject private var run = RunController()

    var body: some Scene {
        WindowGroup {
            VStack(alignment: .leading, spacing: 12) {
                Text("benchctl").font(.title2).bold()
                Text(run.status).font(.body.monospaced())
            }
            .padding()
            .onAppear { run.start(arguments: CommandLine.arguments) }
        }
    }
}

/// Runs the spec off the main thread and publishes a status line for the screen. Main-actor
/// isolated (it drives the UI); the run itself happens on a global queue and reports back
/// through the main queue.
@MainActor
final class RunController: ObservableObject {
    @Published var status = "waiting for a spec"
    private var started = false

    func start(arguments: [String]) {
        guard !started else { return }
        started = true
        // A locked or backgrounded app is suspended: keep the screen on while timing.
        UIApplication.shared.isIdleTimerDisabled = true
        let container = URL(fileURLWithPath: NSHomeDirectory())
        let specURL: URL
        do {
            specURL = try LaunchArguments.specPath(arguments, container: container)
        } catch {
            status = "\(error)"
            NSLog("benchctl: %@", "\(error)")
            return // launched by hand without a spec: stay open and say how to use it
        }
        status = "running \(specURL.lastPathComponent)"
        let version = Bundle.main.object(forInfoDictionaryKey: "CFBundleShortVersionString") as? String ?? "unknown"
        DispatchQueue.global(qos: .userInitiated).async {
            // What finished runs left behind (devicectl cannot delete in the container): every
            // other run folder and cached model goes before this run starts (I8).
            let modelPath = (try? Data(contentsOf: specURL)).flatMap { try? SpecReader.parse($0) }?.model.path
            let removed = Housekeeping.pruneLeftovers(specURL: specURL, modelPath: modelPath)
            if !removed.isEmpty { NSLog("benchctl: removed %@ leftover item(s)", "\(removed.count)") }
            let runner = BenchRunner(
                runner: RunnerInfo(name: "benchctl-ios", version: version),
                platform: IOSPlatform(),
                backends: [CoreMLBackend()],
                progress: { phase, done, total in
                    DispatchQueue.main.async { self.status = "\(phase) \(done)/\(total)" }
                }
            )
            let line: String
            do {
                let outcome = try runner.run(specURL: specURL)
                let r = outcome.result
                line = "BENCHCTL_RESULT run_id=\(r.runId) status=\(r.status.rawValue) path=\(outcome.resultURL.path)"
            } catch {
                line = "BENCHCTL_RESULT status=none error=\(error)" // the result could not be written
            }
            NSLog("%@", line)
            DispatchQueue.main.async {
                self.status = line
                UIApplication.shared.isIdleTimerDisabled = false
                // The host treats "the app's process is gone" as "done" (pymobiledevice3 dvt);
                // a companion that quits itself is acceptable for a development-signed tool.
                DispatchQueue.main.asyncAfter(deadline: .now() + 0.5) { exit(0) }
            }
        }
    }
}
