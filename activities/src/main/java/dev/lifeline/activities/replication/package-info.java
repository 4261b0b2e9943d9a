/** R2 replication activities: keep a verified copy of each data bucket in the secondary bucket. */
package dev.lifeline.activities.replication;
