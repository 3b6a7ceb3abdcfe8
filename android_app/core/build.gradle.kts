// Pure Kotlin/JVM: no Android classes, so the same code is unit-tested on any JDK 17.
// Without Gradle, tools/core-tests.sh compiles and tests it with kotlinc (what CI does).
plugins {
    alias(libs.plugins.kotlin.jvm)
}

kotlin {
    jvmToolchain(17)
}

dependencies {
    api(libs.gson)
    testImplementation(kotlin("test-junit"))
    testImplementation(libs.junit)
}

tasks.test {
    // The tests read the repository's own contract files, never copies.
    systemProperty("benchctl.contract.dir", rootProject.file("../benchctl/runner/contract").absolutePath)
    systemProperty("benchctl.test.out", layout.buildDirectory.dir("test-output").get().asFile.absolutePath)
}
