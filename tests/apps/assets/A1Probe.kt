// A1 on the JVM: LiteRT 1.4's shape — the package-private getExecutionPlanLength() declared on
// the superclass (InterpreterImpl), none on the final subclass (Interpreter). The app's lookup
// must find it; the lookup main used (getDeclaredMethod on the subclass) must not.
// Run by tests/apps/test_app_compile.py against the compiled app classes.
package a1probe

import dev.benchctl.android.Reflection

open class InterpreterImplShape {
    @Suppress("unused")
    private fun getExecutionPlanLength(): Int = 7
}

class InterpreterShape : InterpreterImplShape()

fun main() {
    val found = Reflection.findMethod(InterpreterShape::class.java, "getExecutionPlanLength")
    checkNotNull(found) { "findMethod missed the superclass's method" }
    found.isAccessible = true
    val old = runCatching { InterpreterShape::class.java.getDeclaredMethod("getExecutionPlanLength") }
    println("found=${found.declaringClass.simpleName} value=${found.invoke(InterpreterShape())} getDeclaredMethod=${old.exceptionOrNull()?.javaClass?.simpleName}")
}
