package dev.benchctl.android

import java.lang.reflect.Method

/** Reflection helpers with no Android or LiteRT types, so they run (and are tested) on a JVM. */
object Reflection {
    /**
     * The first class from [type] up its superclasses that declares `name()` with no parameters,
     * at any visibility, or null. `Class.getDeclaredMethod` looks at one class only and
     * `getMethod` sees only public ones; LiteRT 1.4 declares the package-private
     * `getExecutionPlanLength()` on `InterpreterImpl`, `Interpreter`'s superclass (A1).
     */
    fun findMethod(type: Class<*>, name: String): Method? =
        generateSequence(type) { it.superclass }
            .mapNotNull { c -> c.declaredMethods.firstOrNull { it.name == name && it.parameterCount == 0 } }
            .firstOrNull()
}
