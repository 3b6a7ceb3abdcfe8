// The Android runner: release build, not debuggable (a debuggable app runs much slower and the
// host refuses it). Flavors: `standard` (LiteRT CPU/XNNPACK, GPU, NNAPI) and `qnn` (adds
// Qualcomm's QNN delegate for the Hexagon NPU; its libraries are large and Snapdragon-only).
import java.util.Properties

plugins {
    alias(libs.plugins.android.application)
    alias(libs.plugins.kotlin.android)
}

// Release signing from environment variables or keystore.properties (never committed).
val signing = Properties().apply {
    val file = rootProject.file("keystore.properties")
    if (file.isFile) file.inputStream().use { load(it) }
    System.getenv("BENCHCTL_KEYSTORE")?.let { setProperty("storeFile", it) }
    System.getenv("BENCHCTL_KEYSTORE_PASSWORD")?.let { setProperty("storePassword", it) }
    System.getenv("BENCHCTL_KEY_ALIAS")?.let { setProperty("keyAlias", it) }
    System.getenv("BENCHCTL_KEY_PASSWORD")?.let { setProperty("keyPassword", it) }
}

android {
    namespace = "dev.benchctl.android"
    compileSdk = 35

    defaultConfig {
        applicationId = "dev.benchctl.android"
        minSdk = 26
        targetSdk = 35
        versionCode = 1
        versionName = "0.1.0"
    }

    flavorDimensions += "npu"
    productFlavors {
        create("standard") { dimension = "npu" }
        create("qnn") { dimension = "npu" }
    }

    signingConfigs {
        if (signing.getProperty("storeFile") != null) {
            create("release") {
                storeFile = file(signing.getProperty("storeFile"))
                storePassword = signing.getProperty("storePassword")
                keyAlias = signing.getProperty("keyAlias")
                keyPassword = signing.getProperty("keyPassword")
            }
        }
    }

    buildTypes {
        release {
            isDebuggable = false
            isMinifyEnabled = false // LiteRT's Interpreter is read through reflection (DelegateCounts)
            signingConfig = signingConfigs.findByName("release")
        }
    }

    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }

    packaging {
        // QNN's Hexagon skel libraries must exist as files in nativeLibraryDir.
        jniLibs.useLegacyPackaging = true
    }
}

kotlin {
    jvmToolchain(17)
}

dependencies {
    implementation(project(":core"))
    implementation(libs.litert)
    implementation(libs.litert.gpu)
    implementation(libs.litert.gpu.api)
    "qnnImplementation"(libs.qnn.runtime)
    "qnnImplementation"(libs.qnn.litert.delegate)
}
