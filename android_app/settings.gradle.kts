// benchctl's Android companion: `core` (pure Kotlin/JVM, unit-tested in CI with kotlinc) and
// `app` (the Android runner on LiteRT). See README.md for what was built where.
pluginManagement {
    repositories {
        google()
        mavenCentral()
        gradlePluginPortal()
    }
}

dependencyResolutionManagement {
    repositoriesMode.set(RepositoriesMode.FAIL_ON_PROJECT_REPOS)
    repositories {
        google()
        mavenCentral()
    }
}

rootProject.name = "benchctl-android"
include(":core", ":app")
