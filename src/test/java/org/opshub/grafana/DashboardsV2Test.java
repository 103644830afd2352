package org.opshub.grafana;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link Dashboards} and {@link DashboardApi} on the shapes of Grafana's v2 dashboard resource
 * (grafana/grafana {@code apps/dashboard/kinds/v2/dashboard_spec.cue}) and of Kubernetes API discovery.
 */
class DashboardsV2Test {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode json(String s) throws Exception {
        return JSON.readTree(s.replace('\'', '"'));
    }

    @Test
    void aHiddenRowHeaderIsNoSectionAnUnnamedIdComesFromTheElementNameAndUnknownKindsAreSkipped() throws Exception {
        JsonNode resource = json("{'apiVersion':'dashboard.grafana.app/v2','kind':'Dashboard',"
                + "'metadata':{'name':'ward-7'},'spec':{'title':'Ward 7 / ICU','elements':{"
                + "'panel-12':{'kind':'Panel','spec':{'title':'Beds'}},"
                + "'text-1':{'kind':'Text','spec':{'id':99,'title':'a future element kind'}},"
                + "'panel-3':{'kind':'Panel','spec':{'id':3,'title':'  '}}},"
                + "'layout':{'kind':'RowsLayout','spec':{'rows':["
                + "{'kind':'RowsLayoutRow','spec':{'title':'Hidden','hideHeader':true,'layout':{'kind':'GridLayout',"
                + "'spec':{'items':[{'kind':'GridLayoutItem','spec':{'x':0,'y':0,'element':{'kind':'ElementReference','name':'panel-12'}}},"
                + "{'kind':'GridLayoutItem','spec':{'x':6,'y':0,'element':{'kind':'ElementReference','name':'text-1'}}},"
                + "{'kind':'GridLayoutItem','spec':{'x':12,'y':0,'element':{'kind':'ElementReference','name':'missing'}}}]}}}},"
                + "{'kind':'RowsLayoutRow','spec':{'title':'Later','layout':{'kind':'CanvasLayout','spec':{}}}},"
                + "{'kind':'RowsLayoutRow','spec':{'title':'Again','layout':{'kind':'AutoGridLayout','spec':{'items':["
                + "{'kind':'AutoGridLayoutItem','spec':{'element':{'kind':'ElementReference','name':'panel-3'}}},"
                + "{'kind':'AutoGridLayoutItem','spec':{'element':{'kind':'ElementReference','name':'panel-12'}}}]}}}}"
                + "]}}}}");
        Dashboards.Dashboard d = Dashboards.dashboard(resource);
        assertEquals("ward-7", d.uid());
        assertEquals("ward-7-icu", d.slug());
        assertEquals(
                List.of(new Dashboards.Panel(12, "Beds", ""), new Dashboards.Panel(3, "Panel 3", "Again")),
                d.panels(),
                "a hidden header is no heading; a panel placed twice is listed once; other kinds are skipped");
    }

    @Test
    void aResourceWithAV1SpecIsReadAsTheClassicDashboard() throws Exception {
        JsonNode resource = json(
                "{'apiVersion':'dashboard.grafana.app/v1beta1','kind':'Dashboard',"
                        + "'metadata':{'name':'old'},'spec':{'title':'Old','panels':[{'id':1,'type':'timeseries','title':'CPU'},"
                        + "{'id':2,'type':'row','title':'Disks','collapsed':true,'panels':[{'id':3,'type':'stat','title':'Free'}]}]}}");
        assertEquals(
                List.of(new Dashboards.Panel(1, "CPU", ""), new Dashboards.Panel(3, "Free", "Disks")),
                Dashboards.dashboard(resource).panels());
    }

    @Test
    void theVersionIsTheOneThe406NamesElseTheNewestV2ThatDiscoveryLists() throws Exception {
        assertEquals(
                "v2beta1",
                DashboardApi.versionNamed(
                        "{'message':'dashboard api version not supported, use /apis/dashboard.grafana.app/"
                                        .replace('\'', '"')
                                + "v2beta1/namespaces/org-2/dashboards/x instead\"}"));
        assertNull(DashboardApi.versionNamed("{\"message\":\"dashboard api version not supported\"}"));
        assertNull(DashboardApi.versionNamed("<html>406</html>"));
        assertNull(
                DashboardApi.versionNamed(
                        "{\"message\":\"use /apis/dashboard.grafana.app/v1beta1/namespaces/default/dashboards/x\"}"),
                "a v1 version is not the v2 resource");
        assertEquals(
                "v2",
                DashboardApi.newestV2(json("{'versions':[{'version':'v2alpha1'},{'version':'v2'},{'version':'v2beta2'},"
                        + "{'version':'v1beta1'}]}")));
        assertEquals(
                "v2beta2",
                DashboardApi.newestV2(
                        json("{'versions':[{'version':'v2beta1'},{'version':'v2beta2'},{'version':'v2alpha9'}]}")));
        assertNull(DashboardApi.newestV2(json("{'versions':[{'version':'v1beta1'},{'version':'v0alpha1'}]}")));
    }

    @Test
    void panelLinksOfEitherSchemaNameTheirPanel() {
        assertEquals(
                new Dashboards.PanelLink("hospital-v2", "hospital", 7),
                Dashboards.panelUrl("https://grafana.clinic.ru/d/hospital-v2/hospital?orgId=1&viewPanel=panel-7"));
        assertEquals(
                new Dashboards.PanelLink("abc", "dashboard", 4),
                Dashboards.panelUrl("https://grafana/d/abc?from=now-6h&viewPanel=4"));
        assertEquals(
                new Dashboards.PanelLink("abc", "node", 2),
                Dashboards.panelUrl("http://g:3000/d-solo/abc/node?orgId=1&panelId=2&width=1000"));
        assertNull(Dashboards.panelUrl("https://grafana/d/abc/node?orgId=1"));
        assertNull(Dashboards.panelUrl("https://grafana/d/abc/node?viewPanel=panel-x"));
        assertEquals(-1, Dashboards.panelId("seven"));
        assertEquals(7, Dashboards.panelId(" panel-7 "));
    }
}
