// The Android shell of the demo app: the same composables and view models
// as the desktop build (../src/main/kotlin), hosted by an Activity. It needs
// the Android SDK and NDK, which the machine this was written on lacks: it
// has never been built. See ../README.md in the repository root ("The demo app").
pluginManagement {
    repositories {
        google()
        mavenCentral()
        gradlePluginPortal()
    }
}
dependencyResolutionManagement {
    repositories {
        google()
        mavenCentral()
    }
}
rootProject.name = "volunteer-demo-android"
include(":app")
