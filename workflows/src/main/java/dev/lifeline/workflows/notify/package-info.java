/** The port through which playbooks tell people things: approvals wanted, escalations, outcomes. */
package dev.lifeline.workflows.notify;
