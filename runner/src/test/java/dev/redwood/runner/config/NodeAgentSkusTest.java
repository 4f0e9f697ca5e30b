package dev.redwood.runner.config;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The node agent SKU derived from a marketplace image. */
class NodeAgentSkusTest {

  @ParameterizedTest
  @CsvSource({
    "canonical, 0001-com-ubuntu-server-jammy, 22_04-lts, batch.node.ubuntu 22.04",
    "canonical, 0001-com-ubuntu-server-jammy, 22_04-lts-gen2, batch.node.ubuntu 22.04",
    "Canonical, 0001-com-ubuntu-server-focal, 20_04-lts, batch.node.ubuntu 20.04",
    "canonical, ubuntu-24_04-lts, server, batch.node.ubuntu 24.04",
    "Canonical, UbuntuServer, 18.04, batch.node.ubuntu 18.04",
    "Canonical, UbuntuServer, 18.04-LTS, batch.node.ubuntu 18.04",
    "microsoft-azure-batch, ubuntu-server-container, 20-04-lts, batch.node.ubuntu 20.04",
    "microsoft-dsvm, ubuntu-hpc, 2204, batch.node.ubuntu 22.04",
    "almalinux, almalinux-x86_64, 9-gen2, batch.node.el 9",
    "debian, debian-12, 12, batch.node.debian 12",
    "microsoft-azure-batch, centos-container, 7-7, batch.node.centos 7",
    "MicrosoftWindowsServer, WindowsServer, 2022-datacenter, batch.node.windows amd64",
  })
  void derivesTheAgentFromTheImage(String publisher, String offer, String sku, String agent) {
    assertThat(NodeAgentSkus.derive(publisher, offer, sku), is(Optional.of(agent)));
  }

  @Test
  void unknownImagesHaveNoDerivedAgent() {
    assertThat(NodeAgentSkus.derive("someone", "custom-image", "v1"), is(Optional.empty()));
    assertThat(NodeAgentSkus.derive("canonical", "weird-offer", "latest"), is(Optional.empty()));
  }

  @Test
  void retiredAgentsGetAWarning() {
    assertThat(
        NodeAgentSkus.retirementWarning("batch.node.ubuntu 18.04"),
        containsString("has retired the node agent"));
    assertThat(
        NodeAgentSkus.retirementWarning("batch.node.ubuntu 20.04"), containsString("retired"));
    assertThat(NodeAgentSkus.retirementWarning("batch.node.ubuntu 22.04"), is(nullValue()));
  }
}
