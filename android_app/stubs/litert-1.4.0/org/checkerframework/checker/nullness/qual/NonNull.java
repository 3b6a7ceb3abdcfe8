// Compile-only stub: checker-qual's @NonNull (org.checkerframework:checker-qual), which LiteRT
// 1.4.0's Java API is annotated with. Kotlin reads it as a not-null type.
package org.checkerframework.checker.nullness.qual;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE_USE, ElementType.TYPE_PARAMETER})
public @interface NonNull {}
