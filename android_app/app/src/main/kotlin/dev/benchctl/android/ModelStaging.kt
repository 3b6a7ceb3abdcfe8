package dev.benchctl.android

import android.content.Context
import dev.benchctl.core.BenchRunner
import dev.benchctl.core.FileIo
import dev.benchctl.core.ModelRef
import java.io.File

/**
 * Copies the pushed model from shared storage (/sdcard/Android/data/<pkg>/files) into the app's
 * internal files folder before it is loaded: vendor NPU drivers may be refused an mmap of a file
 * on the FUSE-backed shared storage by SELinux, which shows up as a silent CPU fallback
 * (mlcommons/mobile_app_open#1172). Copies are kept by sha256, so a model is copied once; the
 * runner then hashes the internal copy against the spec, so a bad copy cannot go unnoticed.
 */
class ModelStaging(private val context: Context, private val keep: Int = 3) : BenchRunner.ModelResolver {
    override fun resolve(specDir: File, model: ModelRef): File {
        val source = File(specDir, model.path).canonicalFile
        val internal = File(context.filesDir, "models").canonicalFile
        if (source.path.startsWith(internal.path + File.separator)) return source
        if (!source.isFile) return source // the runner reports MODEL_NOT_FOUND with this path
        val dir = File(internal, model.sha256.removePrefix("sha256:").take(24))
        val target = File(dir, source.name)
        if (target.isFile && target.length() == source.length() && FileIo.sha256(target) == model.sha256) {
            dir.setLastModified(System.currentTimeMillis())
            return target
        }
        dir.mkdirs()
        val tmp = File(dir, source.name + ".tmp")
        source.inputStream().use { input -> tmp.outputStream().use { input.copyTo(it, 1 shl 20) } }
        if (!tmp.renameTo(target)) throw java.io.IOException("cannot move ${tmp.path} to ${target.path}")
        prune(internal, dir)
        return target
    }

    /** Keep the [keep] most recently used models; phones have little internal storage. */
    private fun prune(root: File, current: File) {
        val dirs = root.listFiles { f -> f.isDirectory && f != current }?.sortedByDescending { it.lastModified() } ?: return
        dirs.drop(keep - 1).forEach { it.deleteRecursively() }
    }
}
