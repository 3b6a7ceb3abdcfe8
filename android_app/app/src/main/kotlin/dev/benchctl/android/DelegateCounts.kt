package dev.benchctl.android

import java.io.File
import org.tensorflow.lite.Interpreter

/**
 * Node counts LiteRT's public Java API does not give: the execution-plan length of a loaded
 * interpreter (read through the package-private `Interpreter.getExecutionPlanLength()` that
 * LiteRT's own tests use; R8 is off in this app so the method keeps its name), and the number of
 * nodes in the graph without any delegate (a second, delegate-free interpreter on the same file,
 * built after the timed load and closed at once).
 */
object DelegateCounts {
    /** A count, or the reason it could not be read (recorded in the result's plan_summary). */
    data class Count(val value: Int?, val problem: String?)

    fun executionPlanLength(interpreter: Interpreter): Count =
        try {
            val method = Interpreter::class.java.getDeclaredMethod("getExecutionPlanLength")
            method.isAccessible = true
            Count(method.invoke(interpreter) as Int, null)
        } catch (e: ReflectiveOperationException) {
            Count(null, "${e.javaClass.simpleName}: ${e.message}")
        } catch (e: SecurityException) {
            Count(null, "${e.javaClass.simpleName}: ${e.message}")
        }

    fun graphNodes(model: File): Count {
        val options = Interpreter.Options().setUseXNNPACK(false).setNumThreads(1)
        return try {
            Interpreter(model, options).use { executionPlanLength(it) }
        } catch (e: IllegalArgumentException) {
            Count(null, "${e.javaClass.simpleName}: ${e.message}")
        }
    }
}
