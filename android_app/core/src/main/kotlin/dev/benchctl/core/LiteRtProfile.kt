package dev.benchctl.core

/**
 * The Android app's LiteRT profile: placement only, from what LiteRT 1.4's Java API exposes.
 *
 * That API gives no per-operator time (LiteRT's op profiler is reachable only from C++:
 * `benchmark_model --enable_op_profiling`, or system tracing with `debug.tflite.trace`), and of
 * the graph after delegation only the execution plan's length (a delegate replaces each
 * partition it takes with one node). So per operator the unit is known only at the two ends:
 * a one-node plan means the delegate took the whole graph; a plan as long as the graph means no
 * partition of two or more operators was taken. In between (a partial delegation) the count is
 * known, the operators are not, and their unit is recorded as null (unknown), never guessed.
 * Pure Kotlin so the JVM tests cover it; the app supplies the plan length.
 */
object LiteRtProfile {
    const val PROFILER = "litert placement (LiteRT Java API, Android)"
    const val NOTE =
        "placement only: LiteRT 1.4's Java API exposes no per-operator time (its op profiler is " +
            "reachable from benchmark_model --enable_op_profiling) and names no delegated node: " +
            "placement is inferred from the execution plan's length"

    /** The unit a delegate run reports, as the host's LiteRT profiler names it; null: none. */
    fun delegateUnit(accelerator: String, xnnpack: Boolean): String? =
        when (accelerator) {
            "cpu" -> if (xnnpack) "xnnpack" else null
            "npu", "qnn", "hexagon" -> "qnn"
            else -> accelerator // gpu, nnapi
        }

    /**
     * The profile of a model whose primary subgraph is [ops], loaded with [delegate] (null: no
     * delegate), whose interpreter's execution plan has [planLength] nodes (null: unreadable,
     * [planProblem] says why); [wallMedianNs] is the median profiled iteration.
     */
    fun profile(
        ops: List<TfliteGraph.Op>,
        delegate: String?,
        planLength: Int?,
        planProblem: String?,
        iterations: Int,
        wallMedianNs: Long?,
    ): Profile {
        val n = ops.size
        val names = ops.map { it.name }
        val (unit, partitions, detail) =
            when {
                delegate == null -> Triple("cpu", null, "no delegate: LiteRT's built-in CPU kernels ran every operator")
                planLength == null -> Triple(null, null, "the execution plan could not be read ($planProblem)")
                n == 0 -> Triple(null, emptyList<Partition>(), "the primary subgraph has no operator")
                n == 1 -> Triple(null, null, "a one-operator graph has a one-node plan whether or not $delegate took it")
                planLength == 1 -> Triple(delegate, listOf(Partition(delegate, names)), "$delegate took the whole graph (a one-node plan)")
                planLength >= n ->
                    Triple(
                        "cpu",
                        emptyList<Partition>(),
                        "the plan is as long as the graph ($n nodes): $delegate took no partition of two or more " +
                            "operators (a one-operator partition would not shorten the plan)",
                    )
                else ->
                    Triple(
                        null,
                        null,
                        "partial delegation: a $planLength-node plan for $n operators, so $delegate took at least " +
                            "${n - planLength + 1} of them; which ones the Java API does not say (unit null)",
                    )
            }
        return Profile(
            profiler = PROFILER,
            operators = ops.map { OperatorProfile(it.name, it.opType, unit) },
            timed = false,
            iterations = iterations,
            wallMedianNs = wallMedianNs,
            note = "$NOTE; $detail",
            partitions = partitions,
        )
    }
}
