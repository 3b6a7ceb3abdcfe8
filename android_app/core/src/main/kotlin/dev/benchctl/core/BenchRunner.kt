package dev.benchctl.core

import com.google.gson.JsonObject
import java.io.File
import java.io.IOException

/**
 * One `benchctl.spec` in, one `benchctl.result` out — the app-side twin of the Python runner
 * (benchctl/runner). It always writes a result, an error status with a code when
 * something fails, so the host never has to guess; the codes are the Python runner's.
 */
class BenchRunner(
    private val runner: RunnerInfo,
    private val platform: Platform,
    backends: List<Backend>,
    private val clock: MonotonicClock = SystemNanoClock,
    private val progress: TimingLoop.Progress? = null,
    private val modelResolver: ModelResolver = ModelResolver { specDir, model -> File(specDir, model.path) },
) {
    /**
     * Where the model file is read from. The default is the spec's relative path; Android first
     * copies it into internal storage (NPU delegates may not map files on shared storage).
     */
    fun interface ModelResolver {
        fun resolve(specDir: File, model: ModelRef): File
    }

    private val backends = backends.associateBy { it.name }

    data class Outcome(val result: RunResult, val resultFile: File)

    private class Failure(val status: Status, val code: String, message: String) : RuntimeException(message)

    /** Run the spec at [specFile]; the result lands beside it (the spec's `output.result_path`). */
    fun run(specFile: File): Outcome {
        val started = Timestamps.now()
        val specDir = specFile.absoluteFile.parentFile
        var resultFile = File(specDir, "result.json")
        var runId = "0".repeat(32)
        var status = Status.ERROR
        var error: RunError? = null
        var measured: Measured? = null
        val environment = JsonObject()
        platform.buildFacts().entrySet().forEach { (k, v) -> environment.add(k, v) }
        val device = platform.deviceFacts()
        try {
            val text =
                try {
                    specFile.readText(Charsets.UTF_8)
                } catch (e: IOException) {
                    throw Failure(Status.ERROR, ErrorCodes.SPEC_UNREADABLE, "cannot read ${specFile.path}: ${e.message}")
                }
            SpecReader.runIdOrNull(text)?.let { runId = it }
            val spec =
                try {
                    SpecReader.parse(text)
                } catch (e: SpecException) {
                    throw Failure(e.status, e.code, e.message ?: e.code)
                }
            val out = File(specDir, spec.resultPath)
            if (out.canonicalFile.parentFile != specDir.canonicalFile) {
                throw Failure(Status.ERROR, ErrorCodes.INVALID_SPEC, "output.result_path must stay in the spec's folder")
            }
            resultFile = out
            val gate =
                try {
                    ThermalGate(platform.thermalScale, spec.gates)
                } catch (e: IllegalArgumentException) {
                    throw Failure(Status.ERROR, ErrorCodes.INVALID_SPEC, e.message ?: "bad environment gates")
                }
            val before = awaitGates(gate, environment)
            measured = execute(spec, specDir)
            val after = platform.snapshot()
            environment.add("after", after.details)
            environment.addProperty("stopped_by", measured.loop.stoppedBy)
            environment.add("warnings", toJson(gate.warnings(before.reading, after.reading)))
            if (measured.loop.stoppedBy == "iters") {
                status = Status.OK
            } else {
                status = Status.TIMEOUT
                error = RunError(ErrorCodes.MAX_TOTAL_TIME, "max_total_s reached before all iterations ran")
            }
        } catch (e: Failure) {
            status = e.status
            error = RunError(e.code, e.message ?: e.code)
        } catch (e: Exception) { // the last line of defence: report, never die silently
            status = Status.ERROR
            error = RunError(ErrorCodes.RUNNER_CRASHED, "${e.javaClass.simpleName}: ${e.message}")
        }
        var result =
            RunResult(
                runId = runId,
                status = status,
                error = error,
                runner = runner,
                modelSha256 = measured?.modelSha256,
                device = device,
                runtime = measured?.runtime,
                timing = measured?.timing(),
                environment = environment,
                startedAt = started,
                finishedAt = Timestamps.now(),
                memory = measured?.memory,
                profile = measured?.profile,
            )
        result = checked(result)
        FileIo.writeAtomic(resultFile, ResultCodec.write(result))
        return Outcome(result, resultFile)
    }

    /**
     * [result] if the schema would accept it. A profile it would refuse never costs the timed
     * samples (the Python runner's rule): it is replaced by its error. Anything else invalid is
     * a runner bug, reported as INVALID_RESULT instead of writing a bad document.
     */
    private fun checked(result: RunResult): RunResult {
        try {
            ResultCodec.check(result)
            return result
        } catch (e: ContractException) {
            if (result.profile != null && e.path.startsWith("profile")) {
                val kept = result.copy(profile = Profile(result.profile.profiler, emptyList(), timed = false, error = "invalid profile: ${e.message}"))
                return checked(kept)
            }
            return result.copy(
                status = Status.ERROR,
                error = RunError(ErrorCodes.INVALID_RESULT, "the runner built an invalid result: ${e.message}"),
                runtime = null,
                timing = null,
                modelSha256 = null,
                memory = null,
                profile = null,
            )
        }
    }

    /** Wait (within the spec's cool-down) until the gates pass; returns the snapshot used. */
    private fun awaitGates(gate: ThermalGate, environment: JsonObject): Platform.Snapshot {
        val start = clock.nanoTime()
        var waitedMs = 0L
        while (true) {
            val snap = platform.snapshot()
            when (val d = gate.decide(snap.reading, waitedMs)) {
                is ThermalGate.Decision.Proceed -> {
                    environment.add("before", snap.details)
                    environment.addProperty("cooldown_waited_ms", waitedMs)
                    return snap
                }
                is ThermalGate.Decision.Refuse -> {
                    environment.add("before", snap.details)
                    throw Failure(d.status, d.code, d.reason)
                }
                is ThermalGate.Decision.CoolDown -> {
                    clock.sleepMillis(d.waitMs)
                    waitedMs = (clock.nanoTime() - start) / 1_000_000
                }
            }
        }
    }

    private class Measured(
        val modelSha256: String,
        val runtime: RuntimeInfo,
        val compileNs: Long?,
        val loadNs: Long,
        val loop: TimingLoop.Measured,
        val clockName: String,
        val resolutionNs: Long?,
        val overheadNs: Long,
        val memory: MemoryUsage?,
        val profile: Profile?,
    ) {
        fun timing() =
            TimingNs(
                clock = clockName,
                clockResolution = resolutionNs,
                loopOverhead = overheadNs,
                compile = compileNs,
                load = loadNs,
                firstInference = loop.firstInferenceNs,
                warmup = Warmup(loop.warmupCount, loop.warmupTotalNs),
                samples = loop.samples,
                summary = if (loop.samples.isNotEmpty()) Statistics.summarize(loop.samples).toJson() else null,
            )
    }

    private fun execute(spec: RunSpec, specDir: File): Measured {
        val modelFile =
            try {
                modelResolver.resolve(specDir, spec.model)
            } catch (e: IOException) {
                throw Failure(Status.ERROR, ErrorCodes.MODEL_NOT_FOUND, "cannot stage ${spec.model.path}: ${e.message}")
            }
        if (!modelFile.isFile) throw Failure(Status.ERROR, ErrorCodes.MODEL_NOT_FOUND, "model file ${modelFile.path} does not exist")
        val digest = FileIo.sha256(modelFile)
        if (digest != spec.model.sha256) {
            throw Failure(
                Status.ERROR,
                ErrorCodes.MODEL_SHA256_MISMATCH,
                "model file hash $digest differs from the spec's ${spec.model.sha256}",
            )
        }
        val backend =
            backends[spec.backend.name] ?: throw Failure(
                Status.UNSUPPORTED_BACKEND,
                ErrorCodes.UNKNOWN_BACKEND,
                "backend \"${spec.backend.name}\" is not in this runner; it has: ${backends.keys.sorted().joinToString()}",
            )
        if (spec.model.format !in backend.formats) {
            throw Failure(Status.UNSUPPORTED_BACKEND, ErrorCodes.FORMAT_NOT_SUPPORTED, "${backend.name} cannot run ${spec.model.format} artifacts")
        }
        val version =
            try {
                backend.version()
            } catch (e: BackendUnavailable) {
                throw Failure(Status.UNSUPPORTED_BACKEND, ErrorCodes.RUNTIME_MISSING, e.message ?: "runtime missing")
            }
        val requested = spec.backend.accelerator
        val memory = platform.memorySource?.let { MemoryTrack(it) }
        memory?.beforeLoad(platform.memory())
        val t0 = clock.nanoTime()
        val model =
            try {
                backend.load(modelFile, spec.backend)
            } catch (e: AcceleratorUnavailable) {
                throw Failure(Status.ERROR, e.code, e.message ?: e.code)
            } catch (e: Exception) { // any runtime's load error becomes a coded status
                throw Failure(Status.ERROR, ErrorCodes.MODEL_LOAD_FAILED, "${e.javaClass.simpleName}: ${e.message}")
            } catch (e: LinkageError) { // a native library missing on this device
                throw Failure(Status.ERROR, ErrorCodes.MODEL_LOAD_FAILED, "${e.javaClass.simpleName}: ${e.message}")
            }
        val loadNs = clock.nanoTime() - t0
        memory?.afterLoad(platform.memory())
        model.use {
            val placement = model.placement()
            val runtime =
                RuntimeInfo(
                    name = backend.name,
                    version = version,
                    backend = backend.name,
                    acceleratorRequested = requested,
                    acceleratorActual = placement.acceleratorActual,
                    delegatedNodes = placement.delegatedNodes,
                    totalNodes = placement.totalNodes,
                    planSummary = placement.planSummary,
                )
            // null: the runtime could not tell where the graph ran — recorded as unknown, never
            // taken for a fallback (the Python runner does the same).
            val actual = placement.acceleratorActual
            if (actual != null && actual != requested && !spec.backend.allowFallback) {
                throw Failure(
                    Status.ERROR,
                    ErrorCodes.ACCELERATOR_FALLBACK,
                    "requested $requested but the runtime used ${placement.acceleratorActual}; " +
                        "pass allow_fallback to accept it",
                )
            }
            checkInputs(spec.inputs.tensors, model.inputs())
            val predictor =
                try {
                    model.bind(spec.inputs.tensors, spec.inputs.seed)
                } catch (e: Exception) {
                    throw Failure(Status.ERROR, ErrorCodes.INFERENCE_FAILED, "${e.javaClass.simpleName}: ${e.message}")
                }
            val loop =
                try {
                    TimingLoop(clock).run(predictor, spec.timing, progress)
                } catch (e: Exception) { // an inference error mid-loop is a status, not a crash
                    throw Failure(Status.ERROR, ErrorCodes.INFERENCE_FAILED, "${e.javaClass.simpleName}: ${e.message}")
                }
            memory?.sample(platform.memory()) // the peak covers load, warm-up and the loop, not the profile
            if (loop.samples.any { it < 1 }) {
                throw Failure(
                    Status.ERROR,
                    ErrorCodes.CLOCK_TOO_COARSE,
                    "a timed call took 0 ns on ${clock.name}; this clock cannot time this model",
                )
            }
            return Measured(
                modelSha256 = digest,
                runtime = runtime,
                compileNs = model.compileNs(),
                loadNs = loadNs,
                loop = loop,
                clockName = clock.name,
                resolutionNs = observedResolutionNs(clock),
                overheadNs = loopOverheadNs(clock),
                memory = memory?.usage(),
                profile = spec.profile?.takeIf { loop.stoppedBy == "iters" }?.let { profiled(backend.name, model, predictor, it) },
            )
        }
    }

    /**
     * The profiled pass, after the timed loop and never inside it. A backend without a profiler
     * or one that fails says so in `profile.error`; the timed samples stand either way.
     */
    private fun profiled(backend: String, model: LoadedModel, predictor: Predictor, request: ProfileRequest): Profile =
        try {
            model.profile(predictor, request.iterations, clock)
                ?: Profile("none", emptyList(), timed = false, error = "no profiler for backend $backend")
        } catch (e: Exception) {
            Profile(backend, emptyList(), timed = false, error = "${e.javaClass.simpleName}: ${e.message}".take(2000))
        } catch (e: LinkageError) { // a native profiler missing on this device
            Profile(backend, emptyList(), timed = false, error = "${e.javaClass.simpleName}: ${e.message}".take(2000))
        }

    /** Same count, shapes and dtypes in the same order; names are compared only when all match. */
    private fun checkInputs(declared: List<TensorSpec>, actual: List<TensorSpec>) {
        val problem =
            when {
                declared.size != actual.size -> "spec has ${declared.size} inputs, the model ${actual.size}"
                else ->
                    declared.zip(actual).firstOrNull { (d, a) -> d.shape != a.shape || d.dtype != a.dtype }?.let { (d, a) ->
                        "spec input ${d.name} ${d.shape} ${d.dtype} differs from the model's ${a.name} ${a.shape} ${a.dtype}"
                    }
            }
        if (problem != null) throw Failure(Status.ERROR, ErrorCodes.INPUT_MISMATCH, problem)
    }
}
