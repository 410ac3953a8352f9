/**
 * The {@code azureml} Hadoop FileSystem: Azure ML addresses ({@code azureml://datastores/<ds>/paths/<p>} and
 * the workspace-qualified form) for every Spark file source and sink and for the Hadoop API. The driver
 * resolves a datastore with amlspark's own workspace, datastore and credential resolution and hands a
 * scoped, expiring SAS to executors through the Hadoop configuration; bytes move through hadoop-azure's
 * WASB file system. See {@code docs/filesystem.md}.
 */
package io.github.amlspark.hadoop;
