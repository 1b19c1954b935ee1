"""What a hub's spawner does that a check does not reproduce, one short note per kind.

Settings that only place or label the pod (guarantees, labels, pull policy, the PVC) change
nothing about how the server starts and get no note.
"""

from __future__ import annotations

from typing import Any

from hubimage.spawnprofiles.layers import Path, Values
from hubimage.spawnprofiles.traits import Traits, plain

# Traits reproduced in a SpawnProfile (or read to build one).
REPRODUCED = frozenset(
    {
        "cmd",
        "args",
        "working_dir",
        "http_timeout",
        "start_timeout",
        "default_url",
        "mem_limit",
        "cpu_limit",
        "environment",
        "uid",
        "fs_gid",
        "notebook_dir",
        "allow_privilege_escalation",
        "image",
        "volume_mounts",
        "profile_list",
        "port",
    }
)
# Traits that do not change how the server starts in a check's container.
QUIET = frozenset(
    {
        "mem_guarantee",
        "cpu_guarantee",
        "image_pull_policy",
        "image_pull_secrets",
        "extra_labels",
        "extra_annotations",
        "events_enabled",
        "pod_name_template",
        "storage_class",
        "storage_capacity",
        "storage_access_modes",
        "storage_extra_labels",
        "storage_pvc_ensure",
        "storage_selector",
        "pvc_name_template",
        "volumes",
        "profile_form_template",
        "options_form",
        "namespace",
        "common_labels",
        "consecutive_failure_limit",
        "priority_class_name",
        "scheduler_name",
        "service_account",
        "automount_service_account_token",
        "delete_grace_period",
        "k8s_api_request_timeout",
        "k8s_api_request_retry_timeout",
        "slug_scheme",
        "start_timeout_grace",
        "poll_interval",
        "debug",
        "disable_user_config",
    }
)
# Not reproduced: what each kind is called in a note.
KINDS = {
    "lifecycle_hooks": "lifecycle hooks (postStart, preStop)",
    "init_containers": "init containers",
    "extra_containers": "extra containers",
    "extra_pod_config": "extra pod config",
    "extra_container_config": "extra container config",
    "node_selector": "node selectors, tolerations and affinity",
    "tolerations": "node selectors, tolerations and affinity",
    "node_affinity_required": "node selectors, tolerations and affinity",
    "node_affinity_preferred": "node selectors, tolerations and affinity",
    "pod_affinity_required": "node selectors, tolerations and affinity",
    "pod_affinity_preferred": "node selectors, tolerations and affinity",
    "pod_anti_affinity_required": "node selectors, tolerations and affinity",
    "pod_anti_affinity_preferred": "node selectors, tolerations and affinity",
    "extra_resource_limits": "extra resources (GPUs)",
    "extra_resource_guarantees": "extra resources (GPUs)",
    "privileged": "security contexts",
    "container_security_context": "security contexts",
    "pod_security_context": "security contexts",
    "gid": "security contexts",
    "supplemental_gids": "security contexts",
}


def trait_notes(traits: Traits) -> list[str]:
    """One note per kind of setting present (not empty) that no check reproduces."""
    by_kind: dict[str, list[str]] = {}
    for name, trait in traits.items():
        if name in REPRODUCED or name in QUIET or _empty(plain(trait)):
            continue
        kind = KINDS.get(name, "other KubeSpawner settings")
        by_kind.setdefault(kind, []).append(f"{trait.setting} ({trait.source})")
    return [f"{kind}: {', '.join(where)}: not reproduced" for kind, where in by_kind.items()]


def _empty(value: Any) -> bool:
    return value is None or value == {} or value == [] or value == ""


def hub_notes(values: Values, jupyterhub: Path) -> list[str]:
    """Notes on chart settings outside the spawner's traits."""
    notes = []
    policy = (*jupyterhub, "singleuser", "networkPolicy")
    enabled = values.get((*policy, "enabled"))
    holder = values.holder(policy)
    if enabled and holder is not None and holder.document is not None:
        notes.append(
            f"singleuser.networkPolicy ({values.origin(policy)}): the pod's network rules "
            "are not reproduced"
        )
    service = values.get((*jupyterhub[:-1], "binderhub-service", "enabled"))
    binder_ui = values.get((*jupyterhub, "custom", "binderhubUI", "enabled"))
    if service and not binder_ui and jupyterhub:
        notes.append(
            "binderhub-service is enabled: it builds images users ask for (a profile option's "
            "dynamic_image_building); their servers start like any other"
        )
    return notes
