package dev.benchctl.core

import com.google.gson.JsonElement
import java.io.File

/**
 * Where the shared contract lives and where tests leave documents for the Python side.
 * Both come from system properties set by tools/core-tests.sh (or Gradle's test task), so the
 * tests read the repository's own golden files — never copies.
 */
object TestFiles {
    val contractDir: File by lazy {
        val dir = System.getProperty("benchctl.contract.dir")
            ?: error("set -Dbenchctl.contract.dir to benchctl/runner/contract")
        File(dir).also { check(File(it, "result.schema.json").isFile) { "no contract in $it" } }
    }

    val outDir: File by lazy {
        val dir = System.getProperty("benchctl.test.out") ?: error("set -Dbenchctl.test.out")
        File(dir).also { it.mkdirs() }
    }

    /** A file of the repository (the contract's folder is benchctl/runner/contract). */
    fun repoFile(path: String): File = File(contractDir.parentFile.parentFile.parentFile, path)

    fun golden(name: String): String = File(contractDir, "examples/$name").readText()

    fun goldenTree(name: String): JsonElement = Json.parse(golden(name))

    /** Leave [text] in the output folder as [name] for tests/apps/test_kotlin_core.py. */
    fun emit(name: String, text: String) = File(outDir, name).writeText(text)
}
