/**
 * Runs a planned transfer's tasks in this JVM's threads, with no Spark job: the path of the Java API on a
 * local-mode session (whose executors would be threads of this JVM anyway) or with no session at all, and
 * of the command line when no cluster is asked for. The planning, the engines, the checks and the report
 * are the ones a Spark job uses; only the scheduling differs.
 */
package io.github.amlspark.local;
