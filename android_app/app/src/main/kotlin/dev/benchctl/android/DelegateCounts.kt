package dev.benchctl.android

import java.io.File
import org.tensorflow.lite.Interpreter

/**
 * Node counts LiteRT's public Java API does not give: the execution-plan length of a loaded
 * interpreter, and the number of nodes in the graph without any delegate (a second,
 * delegate-free interpreter on the same file, XNNPACK off, built after the timed load and closed
 * at once).
 *
 * The plan length is read through the package-private `getExecutionPlanLength()` that LiteRT's
 * own tests use. In LiteRT 1.4 it is declared on `InterpreterImpl`, the superclass of
 * `Interpreter` (tflite/java/src/main/java/org/tensorflow/lite/InterpreterImpl.java), and
 * `getDeclaredMethod` sees only the class it is asked, so the lookup walks the hierarchy (A1).
 * R8 is off in this app, so the method keeps its name.
 */
object DelegateCounts {
    /** A count, or the reason it could not be read (recorded in the result's plan_summary). */
    data class Count(val value: Int?, val problem: String?)

    fun executionPlanLength(interpreter: Interpreter): Count {
        val method =
            Reflection.findMethod(interpreter.javaClass, "getExecutionPlanLength")
                ?: return Count(null, "no getExecutionPlanLength() on ${interpreter.javaClass.name} or its superclasses")
        return try {
            method.isAccessible = true
            Count(method.invoke(interpreter) as Int, null)
        } catch (e: ReflectiveOperationException) {
            Count(null, "${e.javaClass.simpleName}: ${e.message}")
        } catch (e: SecurityException) {
            Count(null, "${e.javaClass.simpleName}: ${e.message}")
        }
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
