using NUnit.Framework;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using OpenQA.Selenium.Interactions;
using OpenQA.Selenium.Support.UI;

namespace Berth.Tests.Support;

/// <summary>
/// Debian's Chromium, headless, driven through its chromedriver: the web UI's tests use a real browser, which runs the
/// page's script under its Content-Security-Policy exactly as a reader's would.
/// </summary>
public sealed class Browser : IDisposable
{
    public const string InstallCommand = "sudo apt-get install -y chromium chromium-driver";
    private const string ChromiumPath = "/usr/bin/chromium";
    private const string DriverPath = "/usr/bin/chromedriver";

    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    private readonly ChromeDriver _driver;

    private Browser(ChromeDriver driver, string baseAddress) => (_driver, BaseAddress) = (driver, baseAddress.TrimEnd('/'));

    public IWebDriver Driver => _driver;

    public string BaseAddress { get; }

    /// <summary>Starts a browser for pages of <paramref name="baseAddress"/>; the test is ignored (failed under CI) without Chromium.</summary>
    public static Browser Start(string baseAddress, int width = 1280, int height = 900)
    {
        if (!File.Exists(ChromiumPath) || !File.Exists(DriverPath))
        {
            RequiredEngine.Missing("Chromium with its chromedriver", "web UI", InstallCommand);
        }

        var options = new ChromeOptions { BinaryLocation = ChromiumPath };
        options.AddArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", $"--window-size={width},{height}", "--lang=en-US");

        // The driver is the one Debian installed beside the browser: Selenium Manager is never asked to fetch one.
        var service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(DriverPath)!, Path.GetFileName(DriverPath));
        service.SuppressInitialDiagnosticInformation = true;
        service.HideCommandPromptWindow = true;
        var driver = new ChromeDriver(service, options, Bound);
        driver.Manage().Timeouts().PageLoad = Bound;
        return new Browser(driver, baseAddress);
    }

    public void Open(string path) => _driver.Navigate().GoToUrl(BaseAddress + path);

    /// <summary>The path and query of the page the browser shows.</summary>
    public string Location => new Uri(_driver.Url).PathAndQuery;

    /// <summary>The element, once the page shows it (within a bound); fails the test naming it when it never does.</summary>
    public IWebElement Find(string css)
    {
        try
        {
            var wait = new WebDriverWait(_driver, Bound);

            // An element found on a document that is being replaced is gone before it is read: look again.
            wait.IgnoreExceptionTypes(typeof(StaleElementReferenceException));
            return wait.Until(d => d.FindElements(By.CssSelector(css)).FirstOrDefault(e => e.Displayed));
        }
        catch (WebDriverTimeoutException)
        {
            Assert.Fail($"the page at {Location} never showed '{css}'");
            throw;
        }
    }

    public IReadOnlyList<IWebElement> FindAll(string css) => _driver.FindElements(By.CssSelector(css));

    public string PageSource() => _driver.PageSource;

    public bool Has(string css) => _driver.FindElements(By.CssSelector(css)).Count > 0;

    /// <summary>Types into a field, replacing what it held.</summary>
    public void Type(string css, string text)
    {
        var field = Find(css);
        field.Clear();
        field.SendKeys(text);
    }

    /// <summary>Clicks and waits for the page that follows to be a new one, loaded whole.</summary>
    public void ClickAndWait(string css)
    {
        var element = Find(css);
        var page = MarkPage();
        element.Click();
        WaitForPageAfter(page);
    }

    /// <summary>Clicks a button that asks first (the page's <c>data-confirm</c>), agrees, and waits for the page that follows.</summary>
    public void ConfirmAndWait(string css)
    {
        var element = Find(css);
        var page = MarkPage();
        element.Click();
        Alert().Accept();
        WaitForPageAfter(page);
    }

    // A mark on the shown document's window, which a new document does not have. Waiting for the clicked element to go
    // stale is not enough: while the old document is being torn down, chromedriver may answer a read of it with an
    // unknown error ("Node with given id does not belong to the document") rather than a stale element, and the new
    // document may not have loaded yet.
    private string MarkPage()
    {
        var mark = Guid.NewGuid().ToString("N");
        _driver.ExecuteScript("window.berthPage = arguments[0];", mark);
        return mark;
    }

    private void WaitForPageAfter(string mark)
    {
        try
        {
            new WebDriverWait(_driver, Bound).Until(driver =>
            {
                try
                {
                    return ((IJavaScriptExecutor)driver).ExecuteScript("return window.berthPage !== arguments[0] && document.readyState === 'complete';", mark) is true;
                }
                catch (WebDriverException)
                {
                    // Between two documents there is none to run a script in: the next try will find the new one.
                    return false;
                }
            });
        }
        catch (WebDriverTimeoutException)
        {
            Assert.Fail($"no new page came after the click on {Location}");
            throw;
        }
    }

    /// <summary>Presses keys as a person at the keyboard would, into whatever has the focus (<see cref="Keys"/> for Tab, Enter and the like).</summary>
    public void Press(string keys) => new Actions(_driver).SendKeys(keys).Perform();

    /// <summary>Presses keys with Shift held down (Shift+Tab).</summary>
    public void PressShifted(string keys) => new Actions(_driver).KeyDown(Keys.Shift).SendKeys(keys).KeyUp(Keys.Shift).Perform();

    /// <summary>Presses keys that leave the page (Enter on a link or in a form), and waits for the next page to be loaded.</summary>
    public void PressAndWait(string keys)
    {
        var page = MarkPage();
        Press(keys);
        WaitForPageAfter(page);
    }

    /// <summary>Presses keys on a button that asks first (the page's <c>data-confirm</c>), agrees, and waits for the page that follows.</summary>
    public void PressConfirmAndWait(string keys)
    {
        var page = MarkPage();
        Press(keys);
        Alert().Accept();
        WaitForPageAfter(page);
    }

    /// <summary>The alert the page raised (window.confirm), once it is open.</summary>
    public IAlert Alert()
    {
        var wait = new WebDriverWait(_driver, Bound);
        wait.IgnoreExceptionTypes(typeof(NoAlertPresentException));
        return wait.Until(driver => driver.SwitchTo().Alert());
    }

    public void SignIn(string login, string password)
    {
        Open("/ui/sign-in");
        Type("#login", login);
        Type("#password", password);
        ClickAndWait("#sign-in");
    }

    /// <summary>Forgets the session and every cookie, as a new browser would have none.</summary>
    public void Forget()
    {
        Open("/ui/assets/berth.css");
        _driver.Manage().Cookies.DeleteAllCookies();
    }

    /// <summary>The value of a cookie the browser holds for the UI, or null.</summary>
    public Cookie? CookieNamed(string name) => _driver.Manage().Cookies.GetCookieNamed(name);

    /// <summary>
    /// When the test failed, keeps what the browser showed: a screenshot and the page's source, attached to the test's
    /// results (and left in the test's work folder).
    /// </summary>
    public void KeepEvidenceOfFailure()
    {
        if (TestContext.CurrentContext.Result.Outcome.Status != NUnit.Framework.Interfaces.TestStatus.Failed)
        {
            return;
        }

        var folder = Path.Combine(TestContext.CurrentContext.WorkDirectory, "ui-failures");
        Directory.CreateDirectory(folder);
        var name = string.Concat(TestContext.CurrentContext.Test.Name.Select(c => char.IsLetterOrDigit(c) ? c : '_'));
        var screenshot = Path.Combine(folder, name + ".png");
        var source = Path.Combine(folder, name + ".html");
        try
        {
            _driver.GetScreenshot().SaveAsFile(screenshot);
            File.WriteAllText(source, $"<!-- {_driver.Url} -->\n{_driver.PageSource}");
            TestContext.AddTestAttachment(screenshot, "what the browser showed");
            TestContext.AddTestAttachment(source, "the page's source");
        }
        catch (WebDriverException e)
        {
            TestContext.Out.WriteLine($"no screenshot of the failure: {e.Message}");
        }
    }

    /// <summary>Saves what the browser shows as a PNG (the README's screenshots).</summary>
    public void SaveScreenshot(string path) => _driver.GetScreenshot().SaveAsFile(path);

    public void Dispose() => _driver.Quit();
}
