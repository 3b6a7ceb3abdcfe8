package dev.benchctl.core

import com.google.gson.JsonObject

/** One `benchctl.capabilities` runtime entry; unavailable ones say why. */
data class RuntimeCapability(
    val backend: String,
    val available: Boolean,
    val version: String?,
    val formats: List<String>,
    val accelerators: List<String>,
    val reasonIfUnavailable: String?,
)

data class CapabilitiesDoc(
    val runner: RunnerInfo,
    val runtimes: List<RuntimeCapability>,
    val device: JsonObject,
)

/** Builds, reads and writes `benchctl.capabilities` documents (no model needed). */
object CapabilitiesCodec {
    fun of(runner: RunnerInfo, backends: Collection<Backend>, device: JsonObject): CapabilitiesDoc =
        CapabilitiesDoc(
            runner,
            backends.map { b ->
                try {
                    RuntimeCapability(b.name, true, b.version(), b.formats.sorted(), b.accelerators(), null)
                } catch (e: BackendUnavailable) {
                    RuntimeCapability(b.name, false, null, b.formats.sorted(), emptyList(), e.message ?: "unavailable")
                }
            },
            device,
        )

    fun toJson(c: CapabilitiesDoc): JsonObject {
        check(c)
        return jsonObjectOf(
            "schema" to Contract.CAPABILITIES,
            "version" to Contract.VERSION,
            "runner" to
                jsonObjectOf(
                    "name" to c.runner.name,
                    "version" to c.runner.version,
                    "contract_versions" to c.runner.contractVersions,
                ),
            "runtimes" to
                c.runtimes.map { r ->
                    jsonObjectOf(
                        "backend" to r.backend,
                        "formats" to r.formats,
                        "version" to r.version,
                        "available" to r.available,
                        "accelerators" to r.accelerators,
                        "reason_if_unavailable" to r.reasonIfUnavailable,
                    )
                },
            "device" to c.device,
        )
    }

    fun parse(text: String): CapabilitiesDoc {
        val doc = JsonFields.of(Json.parse(text), "a benchctl.capabilities")
        if (doc.string("schema") != Contract.CAPABILITIES) doc.fail("schema", "must be ${Contract.CAPABILITIES}")
        if (doc.long("version") < 1) doc.fail("version", "must be ≥ 1")
        val rn = doc.obj("runner")
        val c =
            CapabilitiesDoc(
                RunnerInfo(rn.string("name"), rn.string("version"), rn.longs("contract_versions").map { it.toInt() }),
                doc.objects("runtimes").map { r ->
                    RuntimeCapability(
                        backend = r.string("backend"),
                        available = r.optBoolean("available") ?: r.fail("available", "required boolean is missing"),
                        version = r.optString("version"),
                        formats = r.optArray("formats")?.mapIndexed { i, e -> stringAt(e, "runtimes/formats/$i") } ?: emptyList(),
                        accelerators =
                            r.optArray("accelerators")?.mapIndexed { i, e -> stringAt(e, "runtimes/accelerators/$i") }
                                ?: emptyList(),
                        reasonIfUnavailable = r.optString("reason_if_unavailable"),
                    )
                },
                doc.jsonObject("device") ?: doc.fail("device", "required object is missing"),
            )
        check(c)
        return c
    }

    fun check(c: CapabilitiesDoc) {
        if (c.runner.contractVersions.isEmpty()) throw ContractException("runner/contract_versions", "must not be empty")
        val p = c.device.get("platform")
        if (p == null || !p.isJsonPrimitive || !p.asJsonPrimitive.isString) {
            throw ContractException("device/platform", "required string is missing")
        }
        c.runtimes.forEachIndexed { i, r ->
            if (!r.available && r.reasonIfUnavailable.isNullOrEmpty()) {
                throw ContractException("runtimes/$i/reason_if_unavailable", "an unavailable runtime must say why")
            }
        }
    }

    private fun stringAt(e: com.google.gson.JsonElement, where: String): String {
        if (!e.isJsonPrimitive || !e.asJsonPrimitive.isString) throw ContractException(where, "must be a string")
        return e.asString
    }
}
