plugins {
    id("com.android.application")
    id("org.jetbrains.kotlin.android")
    id("org.jetbrains.kotlin.plugin.compose")
}

android {
    namespace = "app.volunteer.demo.android"
    compileSdk = 35
    defaultConfig {
        applicationId = "app.volunteer.demo"
        minSdk = 26
        targetSdk = 35
        versionCode = 1
        versionName = "0.1.0"
    }
    sourceSets["main"].apply {
        // The shared UI and view models, and the Kotlin bindings for Android
        // (`scripts/generate-bindings.sh --android`: uniffi's android and
        // android_cleaner on, bindings/uniffi-android.toml).
        kotlin.srcDirs(
            "src/main/kotlin",
            "../../src/main/kotlin",
            "../../../bindings/kotlin/src/main/kotlin",
            "../../../bindings/kotlin/target/generated-sources/uniffi-android",
        )
        // libvolunteer_ffi.so per ABI, built with the NDK (cargo ndk -t arm64-v8a
        // -t armeabi-v7a -t x86_64 -o src/main/jniLibs build -p volunteer-ffi --release).
        jniLibs.srcDirs("src/main/jniLibs")
    }
    buildFeatures { compose = true }
    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }
}

kotlin { jvmToolchain(17) }

dependencies {
    implementation(platform("androidx.compose:compose-bom:2025.11.00"))
    implementation("androidx.activity:activity-compose:1.10.1")
    implementation("androidx.compose.material3:material3")
    implementation("androidx.compose.ui:ui")
    implementation("org.jetbrains.kotlinx:kotlinx-coroutines-android:1.11.0")
    implementation("net.java.dev.jna:jna:5.19.1@aar")
    // The Android bindings' @RequiresApi (also brought by androidx.activity).
    implementation("androidx.annotation:annotation:1.9.1")
}

// Main.kt opens a desktop window (androidx.compose.ui.window): not for Android.
tasks.withType<org.jetbrains.kotlin.gradle.tasks.KotlinCompile>().configureEach {
    exclude("**/demo/Main.kt")
}
